// CREATE INDEX while writes go on: sessions insert, update and delete rows while another
// session builds an index, their asynchronous steps interleaved by a seeded scheduler
// (test_engines.hpp). Afterwards the index must hold exactly one entry per row, pointing at
// the row's key with the row's values: no entry lost (DML that read the schema before the
// index existed fails at commit and retries), none left behind for deleted or moved rows
// (backfill batches conflict with concurrent DML on the same entry and retry).
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "query/local_database.hpp"
#include "query/session.hpp"
#include "query/test_engines.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

using testing::deferred_engine;

struct dml_client {
  std::unique_ptr<session> s;
  int remaining = 0;
  bool busy = false;
  int succeeded = 0;
  std::vector<std::string> errors;
};

std::string random_dml(std::mt19937_64& rng, bool unique_values) {
  std::uniform_int_distribution<int> kind(0, 3), id(1, 400), v(0, 30);
  int k = id(rng);
  // With a unique index every value is a function of the row's key, so values stay unique.
  std::string value = unique_values ? std::to_string(k * 7) : std::to_string(v(rng));
  switch (kind(rng)) {
    case 0: return "INSERT INTO t VALUES (" + std::to_string(k) + ", " + value + ", 'n') ON CONFLICT DO NOTHING";
    case 1: return "UPDATE t SET v = " + (unique_values ? "-id * 3" : value) + " WHERE id = " + std::to_string(k);
    case 2: return "DELETE FROM t WHERE id = " + std::to_string(k);
    default:
      return "UPDATE t SET id = id + 1000, v = " + (unique_values ? std::to_string((k + 1000) * 7) : value) +
             " WHERE id = " + std::to_string(k);
  }
}

// Table t's descriptor as `txn` reads it.
table_descriptor descriptor_of_t(txn::blocking_transaction& txn) {
  auto raw = txn.get(keys::table_descriptor_key("t"));
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  auto d = decode_descriptor(**raw);
  REQUIRE(d.ok());
  return *d;
}

// Every (index entry) and every row's expected entry, read in one snapshot.
void check_index_matches_rows(txn::transaction_engine& engine, const std::string& index_name,
                              std::uint64_t seed) {
  auto t = txn::begin_blocking(engine);
  REQUIRE(t.ok());
  txn::blocking_transaction txn(std::move(*t));
  table_descriptor desc = descriptor_of_t(txn);
  const index_descriptor* ix = desc.find_index(index_name);
  REQUIRE(ix != nullptr);
  CHECK(ix->state == index_state::public_);
  std::set<std::pair<std::string, std::string>> expected, actual;
  std::string rows = keys::row_prefix(desc.id);
  auto page = txn.scan(rows, storage::codec::prefix_end(rows), 100000);
  REQUIRE(page.ok());
  for (const auto& kv : page->rows) {
    auto r = decode_row(desc, kv.value);
    REQUIRE(r.ok());
    auto e = keys::index_entry_of(desc, *ix, *r);
    expected.emplace(e.key, e.value);
  }
  std::string entries = keys::index_prefix(desc.id, ix->id);
  auto index_page = txn.scan(entries, storage::codec::prefix_end(entries), 100000);
  REQUIRE(index_page.ok());
  for (const auto& kv : index_page->rows) actual.emplace(kv.key, kv.value);
  INFO("seed " << seed << ": " << expected.size() << " rows, " << actual.size() << " entries");
  CHECK(expected.size() == page->rows.size());
  CHECK(actual == expected);
}

void load_table(session& setup, bool unique) {
  REQUIRE(setup.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT, w TEXT)").ok());
  std::string values;
  for (int i = 1; i <= 300; ++i) {
    values += (i > 1 ? ", (" : "(") + std::to_string(i) + ", " + std::to_string(unique ? i * 7 : i % 31) + ", 'x')";
  }
  REQUIRE(setup.execute("INSERT INTO t VALUES " + values).ok());
}

// The planner reads through the finished index, and agrees with a full scan.
void check_queries_use_index(session& setup) {
  for (int v : {0, 7, 14, 70, 7007}) {
    auto via_index = setup.execute("SELECT id FROM t WHERE v = $1 ORDER BY id", {datum(std::int64_t{v})});
    auto via_scan = setup.execute("SELECT id FROM t WHERE v + 0 = $1 ORDER BY id", {datum(std::int64_t{v})});
    REQUIRE(via_index.ok());
    REQUIRE(via_scan.ok());
    CHECK(via_index->rows == via_scan->rows);
  }
  auto plan = setup.execute("EXPLAIN SELECT id FROM t WHERE v = 7");
  REQUIRE(plan.ok());
  CHECK(plan->explanation.find("via t_v") != std::string::npos);
}

void run_build_under_load(std::uint64_t seed, bool unique) {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session setup((*db)->engine());
  load_table(setup, unique);

  deferred_engine engine((*db)->engine(), seed);
  session_options options;
  options.defer = [](std::uint32_t, std::function<void()> task) { task(); };
  options.backfill_batch_rows = 16;
  session builder(engine, options);
  std::vector<dml_client> clients(3);
  for (auto& c : clients) {
    c.s = std::make_unique<session>(engine, options);
    c.remaining = 60;
  }
  std::mt19937_64 rng(seed);
  bool built = false;
  std::optional<error> build_error;
  builder.execute_async(unique ? "CREATE UNIQUE INDEX t_v ON t (v)" : "CREATE INDEX t_v ON t (v)", {},
                        [&](result<result_set> r) {
                          built = true;
                          if (!r) build_error = r.err();
                        });
  for (int step = 0; step < 2'000'000; ++step) {
    for (auto& c : clients) {
      if (c.busy || c.remaining == 0) continue;
      c.busy = true;
      --c.remaining;
      c.s->execute_async(random_dml(rng, unique), {}, [&c](result<result_set> r) {
        c.busy = false;
        if (r) {
          ++c.succeeded;
        } else {
          c.errors.push_back(r.err().to_string());
        }
      });
    }
    if (!engine.pump_one()) break;
  }
  REQUIRE_MESSAGE(built, "seed " << seed);
  REQUIRE_MESSAGE(!build_error, "seed " << seed << ": " << (build_error ? build_error->to_string() : ""));
  int succeeded = 0;
  for (auto& c : clients) {
    CHECK(c.remaining == 0);
    CHECK_FALSE(c.busy);
    succeeded += c.succeeded;
    for (const auto& e : c.errors) {
      // Only contention may fail a statement, after its bounded retries.
      INFO("seed " << seed << ": " << e);
      CHECK((e.find("write_conflict") != std::string::npos || e.find("schema_changed") != std::string::npos));
    }
  }
  CHECK(succeeded > 100);
  check_index_matches_rows((*db)->engine(), "t_v", seed);
  check_queries_use_index(setup);
}

TEST_CASE("index build: concurrent inserts, updates and deletes lose no entry (non-unique)") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) run_build_under_load(seed, false);
}

TEST_CASE("index build: concurrent writes keep a unique index exact") {
  for (std::uint64_t seed = 11; seed <= 14; ++seed) run_build_under_load(seed, true);
}

TEST_CASE("index build: a statement that read the old schema fails to commit and is retried") {
  // Deterministic interleaving: the DML transaction reads the descriptor, then the index is
  // created (write-only commit, backfill, public), then the DML commits.
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session setup((*db)->engine());
  REQUIRE(setup.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)").ok());
  REQUIRE(setup.execute("INSERT INTO t VALUES (1, 10)").ok());
  deferred_engine engine((*db)->engine(), 1);
  session_options options;
  options.defer = [](std::uint32_t, std::function<void()> task) { task(); };
  session writer(engine, options);
  std::optional<result<result_set>> written;
  writer.execute_async("INSERT INTO t VALUES (2, 20)", {}, [&](result<result_set> r) { written = std::move(r); });
  // Pump until the writer has read its descriptor (begin, then the catalog read), not further.
  REQUIRE(engine.pump_one());  // begin
  REQUIRE(engine.pump_one());  // descriptor read; the insert's key check is now queued
  REQUIRE(engine.pending() == 1);
  REQUIRE(setup.execute("CREATE INDEX t_v ON t (v)").ok());
  while (engine.pump_one()) {
  }
  REQUIRE(written.has_value());
  REQUIRE_MESSAGE(written->ok(), written->err().to_string());
  CHECK((*written)->ledger.retries == 1);
  check_index_matches_rows((*db)->engine(), "t_v", 0);
  auto r = setup.execute("SELECT id FROM t WHERE v = 20");
  REQUIRE(r.ok());
  REQUIRE(r->rows.size() == 1);
}

// The entries stored under the index `index_id` of table t.
std::size_t stored_entries(txn::transaction_engine& engine, std::int64_t table_id,
                           std::uint32_t index_id) {
  auto t = txn::begin_blocking(engine);
  REQUIRE(t.ok());
  txn::blocking_transaction txn(std::move(*t));
  std::string start = keys::index_prefix(table_id, index_id);
  auto page = txn.scan(start, storage::codec::prefix_end(start), 100'000);
  REQUIRE(page.ok());
  return page->rows.size();
}

table_descriptor descriptor_of_t(txn::transaction_engine& engine) {
  auto t = txn::begin_blocking(engine);
  REQUIRE(t.ok());
  txn::blocking_transaction txn(std::move(*t));
  return descriptor_of_t(txn);
}

TEST_CASE("index build: Ctrl-C mid-backfill undoes the build; a UNIQUE index is never half-enforced") {
  // The cancelled build once stayed write-only: never read, and as UNIQUE it refused duplicates
  // of the rows the backfill had reached only. Its undoing must not be cancelled with it.
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session_options options;
  options.backfill_batch_rows = 4;
  session* self = nullptr;
  options.on_backfill_batch = [&self] { self->cancel(); };
  session s((*db)->engine(), options);
  self = &s;
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, u INT)").ok());
  for (int i = 0; i < 20; ++i) {
    REQUIRE(s.execute("INSERT INTO t VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")").ok());
  }
  auto built = s.execute("CREATE UNIQUE INDEX uu ON t (u)");
  REQUIRE_FALSE(built.ok());
  CHECK(built.err().code() == errc::cancelled);
  CHECK(built.err().message().find("undone") != std::string::npos);
  table_descriptor d = descriptor_of_t((*db)->engine());
  CHECK(d.indexes.empty());
  CHECK(stored_entries((*db)->engine(), d.id, 1) == 0);  // the first batch's entries went too
  CHECK(s.execute("INSERT INTO t VALUES (100, 19)").ok());  // no index enforces anything
}

TEST_CASE("index build: a build a crash left write-only is undone before the first statement") {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session s((*db)->engine());
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, u INT)").ok());
  REQUIRE(s.execute("INSERT INTO t VALUES (1, 10), (2, 20)").ok());
  REQUIRE(s.execute("CREATE UNIQUE INDEX uu ON t (u)").ok());
  // What a process killed mid-backfill leaves: the index write-only, some entries written.
  table_descriptor d = descriptor_of_t((*db)->engine());
  REQUIRE(d.indexes.size() == 1);
  d.indexes[0].state = index_state::write_only;
  {
    auto t = txn::begin_blocking((*db)->engine());
    REQUIRE(t.ok());
    txn::blocking_transaction txn(std::move(*t));
    REQUIRE(txn.put(keys::table_descriptor_key("t"), encode_descriptor(d)).ok());
    REQUIRE(txn.commit().ok());
  }
  auto retry = s.execute("CREATE UNIQUE INDEX IF NOT EXISTS uu ON t (u)");
  REQUIRE_FALSE(retry.ok());  // never "skipping" over an unfinished index
  CHECK(retry.err().message().find("its build did not finish; DROP INDEX uu") != std::string::npos);

  session after((*db)->engine());
  auto notes = after.finish_interrupted_ddl();
  REQUIRE(notes.ok());
  REQUIRE(notes->size() == 1);
  CHECK(notes->front().find("index uu on table t was interrupted") != std::string::npos);
  table_descriptor now = descriptor_of_t((*db)->engine());
  CHECK(now.indexes.empty());
  CHECK(now.version > d.version);  // DML that read the old schema fails at commit
  CHECK(stored_entries((*db)->engine(), d.id, d.indexes[0].id) == 0);
  REQUIRE(after.execute("CREATE UNIQUE INDEX uu ON t (u)").ok());
  auto again = after.finish_interrupted_ddl();  // nothing left to do
  REQUIRE(again.ok());
  CHECK(again->empty());
}

}  // namespace
}  // namespace meridian::query
