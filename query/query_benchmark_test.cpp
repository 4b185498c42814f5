// Keeps the benchmarks of query_benchmark.hpp runnable: each runs briefly (its statements
// assert success) and reports a rate.
#include <doctest/doctest.h>

#include "query/query_benchmark.hpp"

namespace meridian::query {
namespace {

TEST_CASE("benchmarks: the SQL benchmarks run and report rates") {
  CHECK(bench_bind_plan_point_select(200) > 0);
  CHECK(bench_point_select_lmdb(100, 50) > 0);
  CHECK(bench_insert_lmdb(10) > 0);
}

}  // namespace
}  // namespace meridian::query
