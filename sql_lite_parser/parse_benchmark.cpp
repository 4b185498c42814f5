// The parser micro-benchmark behind parse_benchmark.hpp. The statement is the point
// SELECT; the checksum over the parsed trees keeps the compiler from skipping the work.
#include "sql_lite_parser/parse_benchmark.hpp"

#include <chrono>
#include <cstdint>

#include "common/assert.hpp"
#include "sql_lite_parser/parser.hpp"

namespace meridian::sql {

double bench_parse_point_select(int iterations) {
  MERIDIAN_ASSERT(iterations > 0, "the benchmark needs at least one iteration");
  static volatile std::uint64_t checksum_sink = 0;
  constexpr std::string_view point_select = "SELECT a, b FROM t WHERE id = 42";
  std::uint64_t checksum = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto st = parse_statement(point_select);
    MERIDIAN_ASSERT(st.ok(), "the benchmark statement must parse");
    checksum += st->end_offset;
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  checksum_sink = checksum_sink + checksum;
  return elapsed.count() > 0 ? iterations / elapsed.count() : 0.0;
}

}  // namespace meridian::sql
