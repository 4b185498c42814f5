// `meridian bench sql`: the SQL layer's own cost (parse + bind + plan of a point SELECT on one
// thread) and end-to-end statements/s over the local single-node engine on LMDB.
#pragma once

namespace meridian::bench {

struct sql_bench_options {
  int plan_iterations = 500'000;
  int rows = 100'000;          // loaded before the point SELECTs
  int select_iterations = 200'000;
  int insert_iterations = 2'000;  // each a durable (fsynced) autocommit
};

// Prints the figures beside their targets; returns 0.
int run_sql_bench(const sql_bench_options& options);

}  // namespace meridian::bench
