// Config validation (every bad field is named) and the WAN timing rule derived from a latency
// matrix; node creation refuses a bad config.
#include <doctest/doctest.h>

#include <functional>

#include "raft/memory_log_source.hpp"
#include "raft/node.hpp"

using namespace meridian;
using namespace meridian::raft;

namespace {

config valid() {
  config c;
  c.id = 1;
  return c;
}

}  // namespace

TEST_CASE("config: the defaults with an id are valid") { CHECK(valid().validate().ok()); }

TEST_CASE("config: validate names the first bad field") {
  struct row {
    std::function<void(config&)> breaks;
    const char* field;
  };
  std::vector<row> rows = {
      {[](config& c) { c.id = 0; }, "id"},
      {[](config& c) { c.tick_ms = 0; }, "tick_ms"},
      {[](config& c) { c.heartbeat_interval_ticks = 0; }, "heartbeat_interval_ticks"},
      {[](config& c) { c.election_timeout_ticks = c.heartbeat_interval_ticks; },
       "election_timeout_ticks"},
      {[](config& c) { c.election_timeout_ticks = std::uint64_t{1} << 40; },
       "election_timeout_ticks"},
      {[](config& c) { c.election_jitter_ticks = c.election_timeout_ticks + 1; },
       "election_jitter_ticks"},
      {[](config& c) { c.max_inflight_messages = 0; }, "max_inflight_messages"},
      {[](config& c) { c.max_message_bytes = 0; }, "max_message_bytes"},
      {[](config& c) { c.max_uncommitted_bytes = 0; }, "max_uncommitted_bytes"},
      {[](config& c) { c.max_committed_bytes_per_ready = 0; }, "max_committed_bytes_per_ready"},
      {[](config& c) { c.max_pending_reads = 0; }, "max_pending_reads"},
      {[](config& c) {
         c.reads = read_mode::lease;
         c.check_quorum = false;
       },
       "check_quorum"},
      {[](config& c) {
         c.reads = read_mode::lease;
         c.max_clock_drift_ticks = c.election_timeout_ticks;
       },
       "max_clock_drift_ticks"},
  };
  for (const auto& r : rows) {
    config c = valid();
    r.breaks(c);
    status s = c.validate();
    REQUIRE_FALSE(s.ok());
    CHECK(s.err().code() == errc::invalid_config);
    CHECK(s.err().message().find(r.field) != std::string::npos);
  }
}

TEST_CASE("config: WAN timing follows the largest round trip of the latency matrix") {
  // DESIGN.md's default matrix: us-east, eu-west, ap-south.
  std::vector<std::vector<std::uint64_t>> rtt = {{1, 75, 190}, {75, 1, 120}, {190, 120, 1}};
  config base = valid();
  base.reads = read_mode::lease;
  auto c = with_wan_timing(base, rtt, 20);
  REQUIRE(c.ok());
  CHECK(c->tick_ms == 48);                   // ceil(190 / 4)
  CHECK(c->heartbeat_interval_ticks == 4);   // ~ one round trip
  CHECK(c->election_timeout_ticks == 40);    // ~ ten round trips
  CHECK(c->election_jitter_ticks == 20);     // randomized in [T, 1.5 T)
  CHECK(c->max_clock_drift_ticks == 1);      // ceil(20 / 48)
  CHECK(c->lease_ticks() == 39);
  CHECK(c->reads == read_mode::lease);       // the rest comes from the base
  CHECK(c->validate().ok());

  auto local = with_wan_timing(base, {{0}}, 0);  // --wan-scale 0
  REQUIRE(local.ok());
  CHECK(local->tick_ms == 1);
  CHECK(local->validate().ok());
}

TEST_CASE("config: WAN timing refuses a malformed matrix or a drift that leaves no lease") {
  CHECK(with_wan_timing(valid(), {}, 10).err().code() == errc::invalid_config);
  CHECK(with_wan_timing(valid(), {{1, 2}, {3}}, 10).err().code() == errc::invalid_config);
  auto drift = with_wan_timing(valid(), {{0, 100}, {100, 0}}, 5000);
  REQUIRE_FALSE(drift.ok());
  CHECK(drift.err().message().find("clock_drift_ms") != std::string::npos);
}

TEST_CASE("config: a node is not created from a bad config or inconsistent storage") {
  memory_log_source storage(conf_state{{1, 2, 3}, {}});
  config bad = valid();
  bad.max_inflight_messages = 0;
  CHECK(node::create(bad, storage).err().code() == errc::invalid_config);
  config ahead = valid();
  ahead.applied_index = 5;
  CHECK(node::create(ahead, storage).err().code() == errc::invalid_config);
  CHECK(node::create(valid(), storage).ok());
  memory_log_source corrupt(conf_state{{1, 2, 3}, {}});
  corrupt.set_hard_state(storage::hard_state{2, 0, 7});  // commits entries it does not hold
  CHECK(node::create(valid(), corrupt).err().code() == errc::storage_corrupt);
}
