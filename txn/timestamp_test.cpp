// Timestamp layout and the TSO core (PROTOCOL.md "Timestamps"): uniqueness and monotonicity
// across batches, restarts, failovers, backwards clocks and logical overflow; never issuing at or
// above the persisted high-water mark; refusing without leadership or lease.
#include "txn/timestamp.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <vector>

using namespace meridian;
using namespace meridian::txn;

namespace {

// Drives a tso_core the way the TSO actor does: persist what it asks for, confirm, ask again.
// Returns the issued timestamps; checks each grant against the persisted mark. A new term whose
// clock is behind its mark is asked again once the clock has caught up.
std::vector<std::uint64_t> take(tso_core& tso, std::uint32_t count, std::uint64_t now_ms,
                                std::uint64_t* persisted_log = nullptr) {
  for (int round = 0; round < 4; ++round) {
    auto grant = tso.issue(count, now_ms, true);
    REQUIRE(grant.ok());
    if (grant->outcome == tso_grant::state::clock_behind) {
      REQUIRE(grant->retry_ms > 0);
      now_ms += grant->retry_ms;  // the actor asks again once the clock has moved on
      continue;
    }
    if (grant->persist_hw) {
      if (persisted_log != nullptr) *persisted_log = *grant->persist_hw;
      REQUIRE(tso.on_persisted(*grant->persist_hw));
    }
    if (grant->outcome == tso_grant::state::issued) {
      std::vector<std::uint64_t> out;
      for (std::uint32_t i = 0; i < grant->count; ++i) out.push_back(grant->first_ts + i);
      CHECK(out.back() < tso.persisted_hw());
      return out;
    }
  }
  FAIL("the TSO did not issue after persisting its mark");
  return {};
}

}  // namespace

TEST_CASE("timestamps: ts = physical_ms << 18 | logical, and the parts come back") {
  std::uint64_t ts = compose_ts(1'700'000'000'123, 77);
  CHECK(physical_ms_of(ts) == 1'700'000'000'123);
  CHECK(logical_of(ts) == 77);
  CHECK(compose_ts(5, max_logical) + 1 == compose_ts(6, 0));
  CHECK(compose_ts(1, 0) == (std::uint64_t{1} << 18));
}

TEST_CASE("timestamps: a lock TTL counts physical ms between start_ts and the caller's ts") {
  std::uint64_t start = compose_ts(1000, 5);
  CHECK_FALSE(ttl_expired(start, 3000, compose_ts(4000, max_logical)));  // exactly ttl_ms later
  CHECK(ttl_expired(start, 3000, compose_ts(4001, 0)));
  CHECK_FALSE(ttl_expired(start, 3000, compose_ts(900, 0)));  // a caller behind the lock
  CHECK(ttl_expired(start, 0, compose_ts(1001, 0)));
}

TEST_CASE("timestamps: a caller_ts further ahead of the leader clock than the window is refused") {
  CHECK(check_not_ahead("read_ts", compose_ts(13'000, 0), 10'000, 3000).ok());
  auto ahead = check_not_ahead("read_ts", compose_ts(13'001, 0), 10'000, 3000);
  REQUIRE_FALSE(ahead.ok());
  CHECK(ahead.err().code() == errc::invalid_argument);
  CHECK(ahead.err().message().find("read_ts") != std::string::npos);
  CHECK(check_not_ahead("caller_ts", compose_ts(5, 0), 10'000, 3000).ok());  // behind is fine
}

TEST_CASE("tso: config validation rejects a zero window and oversized batches") {
  CHECK(tso_config{}.validate().ok());
  CHECK(tso_config{}.window_ms == 3000);
  CHECK_FALSE((tso_config{0, 10}).validate().ok());
  CHECK_FALSE((tso_config{3000, 0}).validate().ok());
  CHECK_FALSE((tso_config{3000, static_cast<std::uint32_t>(max_logical) + 1}).validate().ok());
}

TEST_CASE("tso: nothing is issued before a mark above it is persisted and confirmed") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  auto first = tso.issue(10, 1000, true);
  REQUIRE(first.ok());
  REQUIRE(first->outcome == tso_grant::state::persist_first);
  CHECK(*first->persist_hw == compose_ts(1000 + 3000, 0));
  // Asking again before the confirmation waits; it does not ask for a second mark.
  auto again = tso.issue(10, 1001, true);
  REQUIRE(again.ok());
  CHECK(again->outcome == tso_grant::state::waiting);
  CHECK_FALSE(tso.on_persisted(*first->persist_hw + 1));  // a mark it never asked for
  REQUIRE(tso.on_persisted(*first->persist_hw));
  auto issued = tso.issue(10, 1001, true);
  REQUIRE(issued.ok());
  REQUIRE(issued->outcome == tso_grant::state::issued);
  CHECK(issued->first_ts == compose_ts(1001, 0));
  CHECK(issued->count == 10);
  CHECK(tso.last_issued() == compose_ts(1001, 9));
}

TEST_CASE("tso: a timestamp equal to the persisted mark is never issued") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  take(tso, 1, 1000);
  REQUIRE(tso.persisted_hw() == compose_ts(4000, 0));
  // The clock reaches the mark exactly: its first timestamp would equal it.
  auto at_mark = tso.issue(1, 4000, true);
  REQUIRE(at_mark.ok());
  CHECK(at_mark->outcome == tso_grant::state::persist_first);
  CHECK(*at_mark->persist_hw == compose_ts(7000, 0));
  REQUIRE(tso.on_persisted(*at_mark->persist_hw));
  auto issued = tso.issue(1, 4000, true);
  CHECK(issued->first_ts == compose_ts(4000, 0));
}

TEST_CASE("tso: a failed persist is asked for again") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  auto first = tso.issue(1, 1000, true);
  REQUIRE(first->outcome == tso_grant::state::persist_first);
  tso.on_persist_failed(*first->persist_hw);
  auto second = tso.issue(1, 1000, true);
  REQUIRE(second->outcome == tso_grant::state::persist_first);
  CHECK(tso.on_persisted(*second->persist_hw));
}

TEST_CASE("tso: batches within one millisecond are consecutive, then the clock takes over") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  auto a = take(tso, 3, 1000);
  auto b = take(tso, 2, 1000);
  auto c = take(tso, 1, 1005);
  CHECK(a == std::vector<std::uint64_t>{compose_ts(1000, 0), compose_ts(1000, 1),
                                        compose_ts(1000, 2)});
  CHECK(b == std::vector<std::uint64_t>{compose_ts(1000, 3), compose_ts(1000, 4)});
  CHECK(c == std::vector<std::uint64_t>{compose_ts(1005, 0)});
}

TEST_CASE("tso: a clock that goes backwards continues from the last issued timestamp") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  auto a = take(tso, 5, 2000);
  auto b = take(tso, 5, 1500);  // the clock stepped back 500 ms
  CHECK(b.front() == a.back() + 1);
  CHECK(physical_ms_of(b.back()) == 2000);
}

TEST_CASE("tso: logical overflow advances the physical part") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  std::uint64_t expected = compose_ts(1000, 0);
  std::uint64_t last = 0;
  // 70 batches of 4096 overflow the 2^18 logical values of millisecond 1000.
  for (int i = 0; i < 70; ++i) {
    auto batch = take(tso, 4096, 1000);
    CHECK(batch.front() == expected);
    last = batch.back();
    expected = last + 1;
  }
  CHECK(physical_ms_of(last) == 1001);
  CHECK(last == compose_ts(1000, 0) + 70 * 4096 - 1);
}

TEST_CASE("tso: an early extension is asked for when the headroom falls below a third") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  take(tso, 1, 1000);  // mark at 4000 ms
  auto early = tso.issue(1, 3100, true);
  REQUIRE(early.ok());
  CHECK(early->outcome == tso_grant::state::issued);
  REQUIRE(early->persist_hw.has_value());
  CHECK(*early->persist_hw == compose_ts(3100 + 3000, 0));
  // While it is in flight, timestamps below the old mark are still issued.
  auto meanwhile = tso.issue(1, 3200, true);
  REQUIRE(meanwhile->outcome == tso_grant::state::issued);
  CHECK_FALSE(meanwhile->persist_hw.has_value());
}

TEST_CASE("tso: no lease, or not leader, means nothing is issued") {
  tso_core tso(tso_config{});
  auto before = tso.issue(1, 1000, true);
  REQUIRE_FALSE(before.ok());
  CHECK(before.err().code() == errc::not_leader);
  tso.become_leader(0);
  take(tso, 1, 1000);
  auto no_lease = tso.issue(1, 1001, false);
  REQUIRE_FALSE(no_lease.ok());
  CHECK(no_lease.err().code() == errc::not_leader);
  tso.step_down();
  CHECK_FALSE(tso.issue(1, 1002, true).ok());
  CHECK_FALSE(tso.on_persisted(compose_ts(9000, 0)));  // a deposed leader takes no confirmation
  CHECK(tso.issue(0, 1002, true).ok() == false);
}

TEST_CASE("tso: a new leader after failover starts above the old leader's persisted mark") {
  std::uint64_t log_hw = 0;  // the meta shard's persisted mark
  tso_core old_leader(tso_config{});
  old_leader.become_leader(log_hw);
  auto before = take(old_leader, 100, 10'000, &log_hw);
  // The new leader's clock is 2 s behind the old one (skew), and it takes over.
  tso_core new_leader(tso_config{});
  new_leader.become_leader(log_hw);
  auto after = take(new_leader, 100, 8'000, &log_hw);
  CHECK(after.front() > before.back());
  CHECK(after.front() > compose_ts(10'000 + 3000, 0) - 1);
  // And the first leader, re-elected later, continues above the second one.
  old_leader.step_down();
  old_leader.become_leader(log_hw);
  auto third = take(old_leader, 5, 10'001, &log_hw);
  CHECK(third.front() > after.back());
}

TEST_CASE("tso: uniqueness and monotonicity over random restarts, failovers and clock jumps") {
  const char* env = std::getenv("MERIDIAN_SEED");
  const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 42;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::uint64_t log_hw = 0;
  std::uint64_t clock_ms = 1'000'000;
  std::vector<tso_core> replicas(3, tso_core(tso_config{1000, 64}));
  std::size_t leader = 0;
  replicas[leader].become_leader(log_hw);
  std::uint64_t last = 0;
  for (int step = 0; step < 5000; ++step) {
    switch (rng() % 10) {
      case 0:  // failover (or a restart: a fresh core) to a random replica
        replicas[leader].step_down();
        leader = rng() % replicas.size();
        if (rng() % 2 == 0) replicas[leader] = tso_core(tso_config{1000, 64});
        replicas[leader].become_leader(log_hw);
        break;
      case 1:  // the clock jumps back up to 2 s
        clock_ms -= rng() % 2000;
        break;
      default:
        clock_ms += rng() % 3;
        break;
    }
    auto got = take(replicas[leader], 1 + static_cast<std::uint32_t>(rng() % 64), clock_ms,
                    &log_hw);
    REQUIRE(got.front() > last);
    REQUIRE(got.back() < log_hw);
    last = got.back();
  }
}

TEST_CASE("tso: a new term waits for its clock to pass the mark; quick restarts do not add up") {
  // PROTOCOL.md "Timestamps": a new leader starts above the persisted mark, which lies up to a
  // window ahead of the clock. Issuing there at once put timestamps seconds ahead of every
  // clock, and each restart within a window persisted its mark a window above the last one.
  std::uint64_t log_hw = 0;
  std::uint64_t clock_ms = 50'000;
  for (int restart = 0; restart < 10; ++restart) {
    tso_core tso(tso_config{});
    tso.become_leader(log_hw);
    if (restart > 0) {
      auto early = tso.issue(1, clock_ms, true);
      REQUIRE(early.ok());
      REQUIRE(early->outcome == tso_grant::state::clock_behind);
      CHECK(early->retry_ms == physical_ms_of(log_hw) - clock_ms);
      clock_ms += early->retry_ms;
    }
    auto got = take(tso, 1, clock_ms, &log_hw);
    CHECK(physical_ms_of(got.front()) == clock_ms);  // the clock's own timestamp, not ahead
    CHECK(log_hw == compose_ts(clock_ms + 3000, 0));  // one window ahead, never more
    clock_ms += 100;  // the next restart comes 100 ms later
  }
  // A clock more than a window behind the mark (it was set back) continues above it at once.
  tso_core set_back(tso_config{});
  set_back.become_leader(compose_ts(clock_ms + 5000, 0));
  auto at_once = set_back.issue(1, clock_ms, true);
  REQUIRE(at_once.ok());
  CHECK(at_once->outcome == tso_grant::state::persist_first);
}

TEST_CASE("tso: a clean shutdown's mark is just above the last timestamp issued") {
  tso_core tso(tso_config{});
  tso.become_leader(0);
  CHECK_FALSE(tso.closing_hw());  // nothing issued this term: the persisted mark stays
  auto got = take(tso, 5, 1000);
  REQUIRE(tso.closing_hw());
  CHECK(*tso.closing_hw() == got.back() + 1);
  CHECK(*tso.closing_hw() < tso.persisted_hw());
  // The next start resumes above it without waiting for the clock.
  tso_core next(tso_config{});
  next.become_leader(*tso.closing_hw());
  auto again = next.issue(1, 1001, true);
  REQUIRE(again.ok());
  CHECK(again->outcome == tso_grant::state::persist_first);
}
