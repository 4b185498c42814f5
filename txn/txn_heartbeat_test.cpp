// txn_heartbeat (PROTOCOL.md "Timestamps": heartbeats extend the primary lock's TTL) on both
// engines: extended, never shortened, and then honoured by check_txn_status; a heartbeat after
// the transaction ended learns how it ended.
#include "txn/txn_heartbeat.hpp"

#include <doctest/doctest.h>

#include "txn/request.hpp"
#include "txn/test_shard.hpp"
#include "txn/timestamp.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;

namespace {
template <class S>
txn_result<heartbeat_result> beat(S& s, const std::string& primary, std::uint64_t start_ts,
                                  std::uint64_t ttl_ms) {
  return s.run([&](auto& r, auto& b) { return txn_heartbeat(r, b, primary, start_ts, ttl_ms); });
}
}  // namespace

TEST_CASE_TEMPLATE("txn_heartbeat: extends the primary lock's ttl and never shortens it", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "p", 3000), put("p", "v")).ok());
  auto longer = beat(s, "p", 10, 9000);
  REQUIRE(longer.ok());
  CHECK(longer->ttl_ms == 9000);
  CHECK(s.lock("p")->ttl_ms == 9000);
  // A heartbeat delayed in the network arrives after the later one: it must not shorten.
  auto shorter = beat(s, "p", 10, 6000);
  REQUIRE(shorter.ok());
  CHECK(shorter->ttl_ms == 9000);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("p")->ttl_ms == 9000);
}

TEST_CASE_TEMPLATE("txn_heartbeat: an extended ttl keeps check_txn_status from rolling back", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  const std::uint64_t start = compose_ts(1000, 0);
  REQUIRE(s.prewrite(classic(start, "p", 3000), put("p", "v")).ok());
  REQUIRE(beat(s, "p", start, 10'000).ok());
  check_txn_status_request request{"p", start, compose_ts(5000, 0), 3000, false};
  auto status = s.check_status(request);
  REQUIRE(status.ok());
  CHECK(status->outcome == txn_status::state::locked);
  request.caller_ts = compose_ts(11'001, 0);
  CHECK(s.check_status(request)->outcome == txn_status::state::rolled_back);
}

TEST_CASE_TEMPLATE("txn_heartbeat: after the transaction ended it learns how", F, memory_fixture,
                   lmdb_fixture) {
  shard<F> s;
  s.committed_put("c", "v", 10, 20);
  auto committed = beat(s, "c", 10, 9000);
  REQUIRE_FALSE(committed.ok());
  CHECK(committed.err().code() == errc::txn_already_committed);
  CHECK(committed.err().commit_ts == 20);
  REQUIRE(s.rollback("r", 10).ok());
  CHECK(beat(s, "r", 10, 9000).err().code() == errc::txn_rolled_back);
  CHECK(beat(s, "n", 10, 9000).err().code() == errc::txn_lock_not_found);
  CHECK(s.last_writes() == 0);
}

TEST_CASE("txn_heartbeat: a secondary, start_ts 0 and an oversized ttl are refused") {
  shard<memory_fixture> s;
  REQUIRE(s.prewrite(classic(10, "p"), put("s", "v")).ok());
  CHECK(beat(s, "s", 10, 9000).err().code() == errc::invalid_argument);
  CHECK(beat(s, "s", 0, 9000).err().code() == errc::invalid_argument);
  CHECK(beat(s, "p", 10, max_lock_ttl_ms + 1).err().code() == errc::limit_exceeded);
  CHECK(s.lock("s")->ttl_ms == default_ttl_ms);
}
