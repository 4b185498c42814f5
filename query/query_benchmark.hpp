// Benchmarks of the SQL layer for `meridian bench sql` (the lead wires them in). Not tests:
// each measures and returns a figure. They run on the caller's thread and read its clock.
#pragma once

namespace meridian::query {

// Parse + bind + plan of `SELECT a, b FROM t WHERE id = 42` per iteration against a catalog
// descriptor held in memory (the only thing a session may cache between statements).
// Returns statements per second. REQUIRES: iterations > 0.
double bench_bind_plan_point_select(int iterations);

// End to end over the local engine on LMDB (a temporary directory): `rows` rows loaded first,
// then `iterations` autocommit point SELECTs by random primary key. Returns statements per
// second. REQUIRES: rows > 0, iterations > 0.
double bench_point_select_lmdb(int rows, int iterations);

// End to end over the local engine on LMDB: `iterations` autocommit single-row INSERTs (each a
// durable commit). Returns statements per second. REQUIRES: iterations > 0.
double bench_insert_lmdb(int iterations);

}  // namespace meridian::query
