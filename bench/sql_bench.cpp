// See sql_bench.hpp. The workloads live in query/query_benchmark.cpp; this prints them.
#include "bench/sql_bench.hpp"

#include <cstdio>
#include <filesystem>

#include "bench/bench_util.hpp"
#include "query/query_benchmark.hpp"

namespace meridian::bench {

int run_sql_bench(const sql_bench_options& o) {
  std::string tmp = std::filesystem::temp_directory_path().string();
  std::printf("meridian bench sql: local engine, LMDB under %s (%s)\n", tmp.c_str(),
              filesystem_name(tmp).c_str());
  double plan = query::bench_bind_plan_point_select(o.plan_iterations);
  std::printf("  parse + bind + plan, point SELECT   %12s statements/s   target >= 300,000/s %s\n",
              with_commas(plan).c_str(), plan >= 300'000 ? "(met)" : "(MISSED)");
  std::fflush(stdout);
  double select = query::bench_point_select_lmdb(o.rows, o.select_iterations);
  std::printf("  point SELECT by primary key         %12s statements/s   (%d rows, autocommit)\n",
              with_commas(select).c_str(), o.rows);
  std::fflush(stdout);
  double insert = query::bench_insert_lmdb(o.insert_iterations);
  std::printf("  single-row INSERT, autocommit       %12s statements/s   (each commit fsynced)\n",
              with_commas(insert).c_str());
  return 0;
}

}  // namespace meridian::bench
