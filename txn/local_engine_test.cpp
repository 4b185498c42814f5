// The local engine gives snapshot isolation with first-committer-wins (PROTOCOL.md
// "Isolation"), read-your-own-writes merged into scans, lock_keys against write skew, past-
// timestamp reads, and timestamps that keep growing across restarts.
#include "txn/local_engine.hpp"

#include <doctest/doctest.h>

#include "storage/testing.hpp"
#include "txn/timestamp.hpp"
#include "txn/write_buffer.hpp"

using namespace meridian;
using namespace meridian::txn;
using storage::testing::lmdb_fixture;
using storage::testing::memory_fixture;

namespace {

blocking_transaction begin(local_engine& e, begin_options o = {}) {
  auto t = begin_blocking(e, o);
  REQUIRE(t.ok());
  return blocking_transaction(std::move(*t));
}

std::optional<std::string> get(blocking_transaction& t, const std::string& k) {
  auto r = t.get(k);
  REQUIRE(r.ok());
  return *r;
}

std::vector<std::string> keys(const scan_page& p) {
  std::vector<std::string> out;
  for (const auto& r : p.rows) out.push_back(r.key + "=" + r.value);
  return out;
}

template <class F>
std::unique_ptr<local_engine> open(F& f) {
  auto e = local_engine::open(f.engine());
  REQUIRE(e.ok());
  return std::move(*e);
}

}  // namespace

TEST_CASE_TEMPLATE("local engine: read your own writes, then a committed snapshot", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto t = begin(*e);
  REQUIRE(t.put("a", "1").ok());
  CHECK(get(t, "a") == "1");
  REQUIRE(t.del("a").ok());
  CHECK(get(t, "a") == std::nullopt);
  REQUIRE(t.put("a", "2").ok());
  auto commit_ts = t.commit();
  REQUIRE(commit_ts.ok());
  CHECK(*commit_ts > t.start_ts());
  auto t2 = begin(*e);
  CHECK(get(t2, "a") == "2");
  CHECK(t.put("b", "x").err().code() == errc::txn_not_active);
}

TEST_CASE_TEMPLATE("local engine: snapshot isolation hides later and uncommitted writes", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto setup = begin(*e);
  REQUIRE(setup.put("k", "old").ok());
  REQUIRE(setup.commit().ok());
  auto reader = begin(*e);
  auto writer = begin(*e);
  REQUIRE(writer.put("k", "new").ok());
  CHECK(get(reader, "k") == "old");  // uncommitted: invisible
  REQUIRE(writer.commit().ok());
  CHECK(get(reader, "k") == "old");  // committed after reader began: invisible
  auto later = begin(*e);
  CHECK(get(later, "k") == "new");   // began after the commit was acknowledged: visible
}

TEST_CASE_TEMPLATE("local engine: first committer wins on a write-write conflict (lost update)",
                   F, memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto a = begin(*e);
  auto b = begin(*e);
  REQUIRE(a.put("x", "a").ok());
  REQUIRE(b.put("x", "b").ok());
  REQUIRE(a.commit().ok());
  auto lost = b.commit();
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.err().code() == errc::write_conflict);
  CHECK(lost.err().retryable());
  auto check = begin(*e);
  CHECK(get(check, "x") == "a");
}

TEST_CASE_TEMPLATE("local engine: write skew happens without lock_keys and not with it", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto setup = begin(*e);
  REQUIRE(setup.put("doctor1", "on").ok());
  REQUIRE(setup.put("doctor2", "on").ok());
  REQUIRE(setup.commit().ok());
  for (bool use_locks : {false, true}) {
    auto t1 = begin(*e);
    auto t2 = begin(*e);
    // Each sees both doctors on call and takes one off: the invariant "one stays on" breaks.
    CHECK(get(t1, "doctor2") == "on");
    CHECK(get(t2, "doctor1") == "on");
    if (use_locks) {
      REQUIRE(t1.lock_keys({"doctor2"}).ok());
      REQUIRE(t2.lock_keys({"doctor1"}).ok());
    }
    REQUIRE(t1.put("doctor1", "off").ok());
    REQUIRE(t2.put("doctor2", "off").ok());
    bool first = t1.commit().ok();
    bool second = t2.commit().ok();
    CHECK(first);
    CHECK(second == !use_locks);  // with locks, the second sees the first's write: conflict
    auto reset = begin(*e);
    REQUIRE(reset.put("doctor1", "on").ok());
    REQUIRE(reset.put("doctor2", "on").ok());
    REQUIRE(reset.commit().ok());
  }
}

TEST_CASE_TEMPLATE("local engine: scans merge buffered writes, both ways, in pages", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto setup = begin(*e);
  for (const char* k : {"a", "c", "e", "g"}) REQUIRE(setup.put(k, "s").ok());
  REQUIRE(setup.commit().ok());
  auto t = begin(*e);
  REQUIRE(t.put("b", "t").ok());
  REQUIRE(t.del("c").ok());
  REQUIRE(t.put("e", "t").ok());
  REQUIRE(t.lock_keys({"g", "h"}).ok());
  auto all = t.scan("", "", 100);
  REQUIRE(all.ok());
  CHECK(keys(*all) == std::vector<std::string>{"a=s", "b=t", "e=t", "g=s"});
  CHECK_FALSE(all->more);
  auto back = t.scan("b", "g", 100, true);
  CHECK(keys(*back) == std::vector<std::string>{"e=t", "b=t"});
  std::vector<std::string> paged;
  std::string from;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = t.scan(from, "", 1);
    REQUIRE(page.ok());
    for (auto& k : keys(*page)) paged.push_back(k);
    if (!page->more) break;
    from = page->resume_key;
  }
  CHECK(paged == std::vector<std::string>{"a=s", "b=t", "e=t", "g=s"});
  std::vector<std::string> rpaged;
  std::string to;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = t.scan("", to, 2, true);
    REQUIRE(page.ok());
    for (auto& k : keys(*page)) rpaged.push_back(k);
    if (!page->more) break;
    to = page->resume_key;
  }
  CHECK(rpaged == std::vector<std::string>{"g=s", "e=t", "b=t", "a=s"});
}

TEST_CASE_TEMPLATE("local engine: a past timestamp reads the old snapshot and cannot write", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto t1 = begin(*e);
  REQUIRE(t1.put("k", "v1").ok());
  auto c1 = t1.commit();
  auto t2 = begin(*e);
  REQUIRE(t2.put("k", "v2").ok());
  REQUIRE(t2.commit().ok());
  begin_options past;
  past.read_ts = *c1;
  auto old = begin(*e, past);
  CHECK(get(old, "k") == "v1");
  CHECK(old.put("k", "x").err().code() == errc::invalid_argument);
  begin_options future;
  future.read_ts = ~std::uint64_t{0} >> 1;
  CHECK_FALSE(begin_blocking(*e, future).ok());
}

TEST_CASE_TEMPLATE("local engine: timestamps keep growing across a restart", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  std::uint64_t last = 0;
  {
    auto e = open(f);
    last = *e->next_ts();
  }
  f.restart();
  auto e = open(f);
  CHECK(*e->next_ts() > last);
}

TEST_CASE("local engine: a clean close lowers the mark, so a reopen issues at the clock at once") {
  // The mark lies a window (3 s) ahead of the clock; a reopen that found it there would wait
  // for the clock to pass it (tso_core::become_leader). The clock here never moves: a wait
  // would never end, and next_ts would fail.
  lmdb_fixture f;
  std::uint64_t last = 0;
  auto clock = [] { return std::uint64_t{1'000'000}; };
  {
    auto e = local_engine::open(f.engine(), clock);
    REQUIRE(e.ok());
    last = *(*e)->next_ts();
  }
  f.restart();
  auto e = local_engine::open(f.engine(), clock);
  REQUIRE(e.ok());
  auto next = (*e)->next_ts();
  REQUIRE(next.ok());
  CHECK(*next > last);
  CHECK(physical_ms_of(*next) == 1'000'000);  // not a window ahead of the clock
}

TEST_CASE("write buffer: transaction size limits are clear errors") {
  write_buffer b;
  std::string big(1 << 20, 'v');
  status s = ok_status();
  int n = 0;
  for (; n < 100 && s.ok(); ++n) s = b.put("k" + std::to_string(n), big);
  REQUIRE_FALSE(s.ok());
  CHECK(s.err().code() == errc::txn_too_large);
  CHECK(s.err().message().find("smaller transactions") != std::string::npos);
  CHECK(b.put(std::string(401, 'k'), "v").err().code() == errc::key_too_large);
}

TEST_CASE_TEMPLATE("local engine: validate_unchanged fails after a change, and validators do not conflict",
                   F, memory_fixture, lmdb_fixture) {
  F f;
  auto e = open(f);
  auto setup = begin(*e);
  REQUIRE(setup.put("schema", "v1").ok());
  REQUIRE(setup.commit().ok());
  auto a = begin(*e);
  auto b = begin(*e);
  REQUIRE(a.validate_unchanged("schema").ok());
  REQUIRE(b.validate_unchanged("schema").ok());
  REQUIRE(a.put("row1", "x").ok());
  REQUIRE(b.put("row2", "y").ok());
  REQUIRE(a.commit().ok());
  REQUIRE(b.commit().ok());  // both only validated "schema": no conflict between them
  auto dml = begin(*e);
  REQUIRE(dml.validate_unchanged("schema").ok());
  REQUIRE(dml.put("row3", "z").ok());
  auto ddl = begin(*e);
  REQUIRE(ddl.put("schema", "v2").ok());
  REQUIRE(ddl.commit().ok());
  auto late = dml.commit();
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::write_conflict);
}
