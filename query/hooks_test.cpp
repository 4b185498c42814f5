// The interfaces the cluster implements (placement_hook, cluster_view) as the session uses
// them, and AS OF SYSTEM TIME reading a past snapshot (with a clock the test controls).
#include <doctest/doctest.h>

#include "query/keys.hpp"

#include "common/time_text.hpp"
#include "query/session.hpp"
#include "storage/memory_engine.hpp"
#include "txn/local_engine.hpp"

namespace meridian::query {
namespace {

class recording_view final : public cluster_view {
 public:
  std::vector<std::string> shards_for(std::string_view start, std::string_view end) const override {
    ++calls;
    // With `catalog` set, table t's descriptor lives apart from the rows (a placed table).
    if (!catalog.empty() && start == keys::table_descriptor_key("t")) return {catalog};
    return data;
  }
  commit_estimate estimate_commit(std::size_t shards_written) const override {
    last_written = shards_written;
    if (shards_written == 0) return {0, "read-only"};
    return {shards_written > 1 ? 2u : 1u, shards_written > 1 ? "classic" : "one-phase"};
  }
  std::uint32_t timestamp_round_trips() const override { return 1; }
  std::vector<std::string> data = {"s1", "s2"};
  std::string catalog;
  mutable int calls = 0;
  mutable std::size_t last_written = 0;
};

class refusing_hook final : public placement_hook {
 public:
  status check(const table_placement& p) const override {
    if (p.leader_dc == "mars") return error(errc::invalid_argument, "no datacenter named mars");
    return ok_status();
  }
  void table_placed(const table_descriptor& t, std::function<void(status)> done) override {
    placed.push_back(t.name + ":" + t.placement.leader_dc);
    done(ok_status());
  }
  void table_dropped(const table_descriptor& t, std::function<void(status)> done) override {
    dropped.push_back(t.name);
    done(ok_status());
  }
  std::vector<std::string> placed, dropped;
};

struct clocked_db {
  storage::memory_engine storage;
  std::uint64_t now_ms = 1'700'000'000'000;
  std::unique_ptr<txn::local_engine> engine;
  clocked_db() {
    auto e = txn::local_engine::open(storage, [this]() { return now_ms; });
    REQUIRE(e.ok());
    engine = std::move(*e);
  }
};

TEST_CASE("hooks: the placement hook checks options and hears of placement and drops") {
  clocked_db db;
  refusing_hook hook;
  session_options options;
  options.placement = &hook;
  session s(*db.engine, options);
  auto bad = s.execute("CREATE TABLE t (id INT PRIMARY KEY) WITH (leader_dc = 'mars')");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message().find("mars") != std::string::npos);
  CHECK_FALSE(s.execute("SELECT * FROM t").ok());  // nothing was created
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY) WITH (leader_dc = 'eu-west')").ok());
  REQUIRE(s.execute("ALTER TABLE t SET leader_dc = 'ap-south'").ok());
  CHECK_FALSE(s.execute("ALTER TABLE t SET leader_dc = 'mars'").ok());
  REQUIRE(s.execute("DROP TABLE t").ok());
  CHECK(hook.placed == std::vector<std::string>{"t:eu-west", "t:ap-south"});
  CHECK(hook.dropped == std::vector<std::string>{"t"});
}

TEST_CASE("hooks: the local placement hook records events") {
  clocked_db db;
  local_placement_hook hook;
  session_options options;
  options.placement = &hook;
  session s(*db.engine, options);
  REQUIRE(s.execute("CREATE TABLE u (region TEXT, id INT, PRIMARY KEY (region, id)) WITH (home_dc_column = region)").ok());
  auto events = hook.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].table == "u");
  CHECK(events[0].placement.home_dc_column == "region");
}

TEST_CASE("hooks: EXPLAIN asks the cluster view for shards and the commit's cost") {
  clocked_db db;
  recording_view view;
  session_options options;
  options.cluster = &view;
  session s(*db.engine, options);
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)").ok());
  auto select = s.execute("EXPLAIN SELECT v FROM t WHERE id = 1");
  REQUIRE(select.ok());
  CHECK(select->explanation.find("shards: 2 (s1, s2)") != std::string::npos);
  CHECK(select->explanation.find("round trips (estimate): 3 (timestamp 1, reads 2, commit 0 read-only)") !=
        std::string::npos);
  CHECK(view.last_written == 0);
  auto update = s.execute("EXPLAIN UPDATE t SET v = 2 WHERE id = 1");
  REQUIRE(update.ok());
  CHECK(view.last_written == 2);
  CHECK(update->explanation.find("commit 2 classic") != std::string::npos);
  CHECK(view.calls > 0);
}

TEST_CASE("hooks: EXPLAIN counts the catalog's shard a write's schema check reads") {
  // The rows of t live in one shard, its descriptor in another: the commit touches both
  // (validate_unchanged), so it is not one-phase, and EXPLAIN must not promise it.
  clocked_db db;
  recording_view view;
  view.data = {"data"};  // the rows: one shard
  view.catalog = "catalog";
  session_options options;
  options.cluster = &view;
  session s(*db.engine, options);
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)").ok());
  auto insert = s.execute("EXPLAIN INSERT INTO t VALUES (1, 1)");
  REQUIRE(insert.ok());
  CHECK(view.last_written == 2);  // the rows' shard and the catalog's
  CHECK(insert->explanation.find("commit 2 classic") != std::string::npos);
}

TEST_CASE("AS OF SYSTEM TIME reads the snapshot of a past time") {
  clocked_db db;
  session s(*db.engine);
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)").ok());
  REQUIRE(s.execute("INSERT INTO t VALUES (1, 'old')").ok());
  std::uint64_t old_ms = db.now_ms;
  db.now_ms += 60'000;
  REQUIRE(s.execute("UPDATE t SET v = 'new' WHERE id = 1").ok());
  db.now_ms += 60'000;
  auto now = s.execute("SELECT v FROM t");
  REQUIRE(now.ok());
  CHECK(now->rows[0][0] == datum(std::string("new")));
  auto stale = s.execute("SELECT v FROM t AS OF SYSTEM TIME '-90s'");
  REQUIRE_MESSAGE(stale.ok(), stale.err().to_string());
  CHECK(stale->rows[0][0] == datum(std::string("old")));
  CHECK(stale->ledger.commit_path == "read-only");
  auto absolute = s.execute("SELECT v FROM t AS OF SYSTEM TIME $1",
                            {datum(timestamp_value{static_cast<std::int64_t>(old_ms + 1000) * 1000})});
  REQUIRE_MESSAGE(absolute.ok(), absolute.err().to_string());
  CHECK(absolute->rows[0][0] == datum(std::string("old")));
  auto text = s.execute("SELECT v FROM t AS OF SYSTEM TIME '" +
                        format_timestamp(static_cast<std::int64_t>(old_ms + 70'000) * 1000) + "'");
  REQUIRE_MESSAGE(text.ok(), text.err().to_string());
  CHECK(text->rows[0][0] == datum(std::string("new")));
}

TEST_CASE("AS OF SYSTEM TIME refuses now() and intervals that overflow, never reading elsewhere") {
  // '+infs' once converted to INT64_MIN (a read at the epoch: 'table does not exist'), and now()
  // was evaluated as 1970 there.
  clocked_db db;
  session s(*db.engine);
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY)").ok());
  for (const char* as_of : {"'+infs'", "'+1e300s'", "'-100000000h'", "now()",
                            "CAST(now() AS TIMESTAMP)", "'+10s'"}) {
    auto r = s.execute(std::string("SELECT * FROM t AS OF SYSTEM TIME ") + as_of);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.err().code() == errc::sql_invalid_value, as_of, ": ", r.err().to_string());
  }
}

}  // namespace
}  // namespace meridian::query

namespace meridian::query {
namespace {

// Names a point ("point") apart from a range ("range"): which keys EXPLAIN asks about.
class point_view final : public cluster_view {
 public:
  std::vector<std::string> shards_for(std::string_view start, std::string_view end) const override {
    if (start == keys::table_descriptor_key("t")) return {"catalog"};
    return {end == std::string(start) + '\0' ? "point" : "range"};
  }
  commit_estimate estimate_commit(std::size_t shards_written) const override {
    return {shards_written > 1 ? 2u : 1u, shards_written > 1 ? "classic" : "one-phase"};
  }
  std::uint32_t timestamp_round_trips() const override { return 1; }
};

TEST_CASE("hooks: EXPLAIN of a write names the shards of the keys it writes, not the table's") {
  // A placed table spans a shard per datacenter; an INSERT of one row writes one of them.
  clocked_db db;
  point_view view;
  session_options options;
  options.cluster = &view;
  session s(*db.engine, options);
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)").ok());
  auto shards_of = [&](const std::string& sql, std::vector<datum> params = {}) {
    auto r = s.execute("EXPLAIN " + sql, params);
    REQUIRE_MESSAGE(r.ok(), r.err().to_string());
    auto at = r->explanation.find("shards: ");
    REQUIRE(at != std::string::npos);
    return r->explanation.substr(at, r->explanation.find('\n', at) - at);
  };
  CHECK(shards_of("INSERT INTO t VALUES (1, 1), (2, 2)") == "shards: 1 (point)");
  CHECK(shards_of("UPDATE t SET v = 2 WHERE id = 1") == "shards: 1 (point)");
  CHECK(shards_of("DELETE FROM t WHERE id = 1") == "shards: 1 (point)");
  CHECK(shards_of("UPDATE t SET id = 3 WHERE id = 1") == "shards: 2 (point, range)");  // moves
  CHECK(shards_of("DELETE FROM t WHERE v = 1") == "shards: 1 (range)");
  CHECK(shards_of("INSERT INTO t VALUES ($1, 1)", {datum(std::int64_t{5})}) ==
        "shards: 1 (point)");  // a bound parameter is a constant too
  REQUIRE(s.execute("CREATE INDEX t_v ON t (v)").ok());
  CHECK(shards_of("INSERT INTO t VALUES (1, 1)") == "shards: 1 (point)");  // row and entry
  CHECK(shards_of("UPDATE t SET v = 2 WHERE id = 1") == "shards: 2 (point, range)");
}

}  // namespace
}  // namespace meridian::query
