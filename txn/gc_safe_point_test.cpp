// PROTOCOL.md "Garbage collection": the safe point is now minus the retention window, never at or
// above the oldest active start_ts any live node reports, never backwards; and the active set that
// feeds the reports forgets a transaction when its registration ends.
#include "txn/gc_safe_point.hpp"

#include <doctest/doctest.h>

#include "txn/active_set.hpp"
#include "txn/timestamp.hpp"

using namespace meridian;
using namespace meridian::txn;

namespace {
constexpr std::uint64_t base_ms = 1'700'000'000'000;
std::uint64_t at(std::uint64_t ms, std::uint64_t logical = 0) { return compose_ts(base_ms + ms, logical); }
}  // namespace

TEST_CASE("gc: the safe point trails now by the retention window") {
  gc_policy p;
  p.retention_ms = 60'000;
  auto sp = next_safe_point(at(100'000), 0, {}, p);
  REQUIRE(sp);
  CHECK(*sp == at(40'000));
}

TEST_CASE("gc: the safe point stays below the oldest active transaction of a live node") {
  gc_policy p;
  p.retention_ms = 60'000;
  std::vector<gc_report> reports{{1, at(90'000), at(99'000)}, {2, at(30'000, 7), at(99'500)}};
  auto sp = next_safe_point(at(100'000), 0, reports, p);
  REQUIRE(sp);
  CHECK(*sp == at(30'000, 6));
}

TEST_CASE("gc: a node silent for longer than the report TTL no longer holds GC back") {
  gc_policy p;
  p.retention_ms = 60'000;
  p.report_ttl_ms = 120'000;
  std::vector<gc_report> reports{{3, at(1'000), at(2'000)}};
  CHECK(next_safe_point(at(100'000), 0, reports, p) == at(999, (std::uint64_t{1} << 18) - 1));
  CHECK(next_safe_point(at(200'000), 0, reports, p) == at(140'000));
}

TEST_CASE("gc: the safe point never moves backwards") {
  gc_policy p;
  p.retention_ms = 60'000;
  CHECK_FALSE(next_safe_point(at(100'000), at(40'000), {}, p));
  CHECK_FALSE(next_safe_point(at(100'000), at(50'000), {}, p));
  CHECK(next_safe_point(at(100'001), at(40'000), {}, p) == at(40'001));
  CHECK_FALSE(next_safe_point(compose_ts(10, 0), 0, {}, p));  // too early to collect anything
}

TEST_CASE("gc: the active set reports its oldest registration until it is released") {
  auto set = std::make_shared<active_set>();
  CHECK_FALSE(set->oldest());
  auto a = set->add(50);
  {
    auto b = set->add(20);
    auto c = set->add(20);
    CHECK(set->oldest() == 20u);
    CHECK(set->size() == 3);
    c.release();
    CHECK(set->oldest() == 20u);
  }
  CHECK(set->oldest() == 50u);
  active_set::registration moved = std::move(a);
  CHECK(set->size() == 1);
  moved = active_set::registration();
  CHECK_FALSE(set->oldest());
}
