// Micro-benchmark of the SQL parser, for `meridian bench sql` (the lead wires it in). Not a
// test: it measures and returns a figure. Runs on the caller's thread and reads its clock.
#pragma once

namespace meridian::sql {

// Parses `SELECT a, b FROM t WHERE id = 42` `iterations` times (building and destroying the
// tree each time) and returns statements per second.
// REQUIRES: iterations > 0.
double bench_parse_point_select(int iterations);

}  // namespace meridian::sql
