// Session tests: statements end to end over the local engine (memory and LMDB), transaction
// states, autocommit, parameters, and the result_set's shape.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>

#include <chrono>

#include <thread>

#include "common/time_text.hpp"
#include "query/ddl.hpp"
#include "query/local_database.hpp"
#include "query/query_limits.hpp"
#include "query/session.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

struct fixture {
  std::unique_ptr<local_database> db;
  std::unique_ptr<session> s;
  explicit fixture(local_database::storage_kind kind = local_database::storage_kind::memory) {
    auto opened = local_database::open(kind);
    REQUIRE(opened.ok());
    db = std::move(*opened);
    s = std::make_unique<session>(db->engine());
  }
  result_set ok(std::string_view sql, const std::vector<datum>& params = {}) {
    auto r = s->execute(sql, params);
    INFO(sql);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.err().to_string()));
    return std::move(*r);
  }
  error fails(std::string_view sql, const std::vector<datum>& params = {}) {
    auto r = s->execute(sql, params);
    INFO(sql);
    REQUIRE(!r.ok());
    return r.err();
  }
};

TEST_CASE("session: a statement is run again after a conflict, not after a request deadline") {
  CHECK(retry_may_help(error(errc::write_conflict, "lost a race")));
  CHECK(retry_may_help(error(errc::not_leader, "leader moved")));
  // The io kept trying every replica for a whole deadline: running the statement again would
  // only multiply the wait while a quorum is down.
  CHECK_FALSE(retry_may_help(error(errc::unavailable, "no quorum")));
  CHECK_FALSE(retry_may_help(error(errc::outcome_unknown, "may have committed")));
  CHECK_FALSE(retry_may_help(error(errc::cancelled, "cancelled")));
}

TEST_CASE("session: create, insert, select round trip") {
  fixture f;
  f.ok("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, price DECIMAL(10,2))");
  auto ins = f.ok("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', 2.25)");
  CHECK(ins.tag == "INSERT 2");
  CHECK(ins.rows_affected == 2);
  auto sel = f.ok("SELECT id, name, price FROM t ORDER BY id");
  CHECK(sel.tag == "SELECT 2");
  REQUIRE(sel.columns.size() == 3);
  CHECK(sel.columns[2].type == "DECIMAL(10,2)");
  REQUIRE(sel.rows.size() == 2);
  CHECK(std::get<decimal>(sel.rows[0][2]).to_string() == "1.50");
  CHECK(std::get<std::string>(sel.rows[1][1]) == "b");
}

}  // namespace
}  // namespace meridian::query

namespace meridian::query {
namespace {

struct two_sessions {
  std::unique_ptr<local_database> db;
  std::unique_ptr<session> a, b;
  two_sessions() {
    auto opened = local_database::open(local_database::storage_kind::memory);
    REQUIRE(opened.ok());
    db = std::move(*opened);
    a = std::make_unique<session>(db->engine());
    b = std::make_unique<session>(db->engine());
  }
};

result_set must(session& s, std::string_view sql, const std::vector<datum>& params = {}) {
  auto r = s.execute(sql, params);
  INFO(sql);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.err().to_string()));
  return std::move(*r);
}

std::int64_t single_int(session& s, std::string_view sql) {
  auto r = must(s, sql);
  REQUIRE(r.rows.size() == 1);
  return std::get<std::int64_t>(r.rows[0][0]);
}

TEST_CASE("session: a transaction's writes are invisible to others until COMMIT") {
  two_sessions t;
  must(*t.a, "CREATE TABLE k (id INT PRIMARY KEY, v INT)");
  must(*t.a, "INSERT INTO k VALUES (1, 1)");
  must(*t.a, "BEGIN");
  CHECK(t.a->in_transaction());
  must(*t.a, "INSERT INTO k VALUES (2, 2)");
  must(*t.a, "UPDATE k SET v = 10 WHERE id = 1");
  CHECK(single_int(*t.b, "SELECT count(*) FROM k") == 1);
  CHECK(single_int(*t.b, "SELECT v FROM k WHERE id = 1") == 1);
  auto commit = must(*t.a, "COMMIT");
  CHECK(commit.tag == "COMMIT");
  CHECK_FALSE(t.a->in_transaction());
  CHECK(single_int(*t.b, "SELECT count(*) FROM k") == 2);
  CHECK(single_int(*t.b, "SELECT v FROM k WHERE id = 1") == 10);
}

TEST_CASE("session: a transaction reads one snapshot (snapshot isolation)") {
  two_sessions t;
  must(*t.a, "CREATE TABLE k (id INT PRIMARY KEY, v INT)");
  must(*t.a, "INSERT INTO k VALUES (1, 1)");
  must(*t.b, "BEGIN");
  CHECK(single_int(*t.b, "SELECT v FROM k WHERE id = 1") == 1);
  must(*t.a, "UPDATE k SET v = 2 WHERE id = 1");
  must(*t.a, "INSERT INTO k VALUES (2, 2)");
  CHECK(single_int(*t.b, "SELECT v FROM k WHERE id = 1") == 1);
  CHECK(single_int(*t.b, "SELECT count(*) FROM k") == 1);
  must(*t.b, "COMMIT");
  CHECK(single_int(*t.b, "SELECT v FROM k WHERE id = 1") == 2);
}

TEST_CASE("session: a write conflict inside BEGIN is reported at COMMIT as retryable") {
  two_sessions t;
  must(*t.a, "CREATE TABLE k (id INT PRIMARY KEY, v INT)");
  must(*t.a, "INSERT INTO k VALUES (1, 1)");
  must(*t.a, "BEGIN");
  must(*t.b, "BEGIN");
  must(*t.a, "UPDATE k SET v = v + 1 WHERE id = 1");
  must(*t.b, "UPDATE k SET v = v + 100 WHERE id = 1");
  must(*t.a, "COMMIT");
  auto r = t.b->execute("COMMIT");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::write_conflict);
  CHECK(r.err().retryable());
  CHECK_FALSE(t.b->in_transaction());
  CHECK(single_int(*t.a, "SELECT v FROM k WHERE id = 1") == 2);
}

TEST_CASE("session: SELECT FOR UPDATE turns write skew into a conflict") {
  two_sessions t;
  must(*t.a, "CREATE TABLE doctors (id INT PRIMARY KEY, on_call BOOL)");
  must(*t.a, "INSERT INTO doctors VALUES (1, TRUE), (2, TRUE)");
  must(*t.a, "BEGIN");
  must(*t.b, "BEGIN");
  CHECK(must(*t.a, "SELECT id FROM doctors WHERE on_call FOR UPDATE").rows.size() == 2);
  CHECK(must(*t.b, "SELECT id FROM doctors WHERE on_call FOR UPDATE").rows.size() == 2);
  must(*t.a, "UPDATE doctors SET on_call = FALSE WHERE id = 1");
  must(*t.b, "UPDATE doctors SET on_call = FALSE WHERE id = 2");
  must(*t.a, "COMMIT");
  auto r = t.b->execute("COMMIT");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::write_conflict);
  CHECK(single_int(*t.a, "SELECT count(*) FROM doctors WHERE on_call") == 1);
}

TEST_CASE("session: DML that began before a schema change fails at COMMIT with schema_changed") {
  two_sessions t;
  must(*t.a, "CREATE TABLE k (id INT PRIMARY KEY, v INT)");
  must(*t.a, "BEGIN");
  must(*t.a, "INSERT INTO k VALUES (1, 1)");
  must(*t.b, "CREATE INDEX k_v ON k (v)");
  auto r = t.a->execute("COMMIT");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::sql_schema_changed);
  CHECK(r.err().retryable());
  CHECK(single_int(*t.b, "SELECT count(*) FROM k") == 0);
}

TEST_CASE("session: parameters are typed by their values at bind time") {
  fixture f;
  f.ok("CREATE TABLE p (id INT PRIMARY KEY, name TEXT, amount DECIMAL(8,2), at TIMESTAMP)");
  auto ins = f.ok("INSERT INTO p VALUES ($1, $2, $3, $4)",
                  {datum(std::int64_t{1}), datum(std::string("x")), datum(*decimal::parse("2.345")),
                   datum(std::string("2024-05-06 07:08:09"))});
  CHECK(ins.rows_affected == 1);
  auto sel = f.ok("SELECT name, amount, at FROM p WHERE id = $1", {datum(std::uint64_t{1})});
  REQUIRE(sel.rows.size() == 1);
  CHECK(std::get<decimal>(sel.rows[0][1]).to_string() == "2.35");
  CHECK(std::get<timestamp_value>(sel.rows[0][2]).micros == *parse_timestamp("2024-05-06 07:08:09"));
  CHECK(f.ok("SELECT $1 + 1", {datum(2.5)}).rows[0][0] == datum(3.5));
  CHECK(f.ok("SELECT $1 IS NULL", {datum(null_value{})}).rows[0][0] == datum(true));
  CHECK(f.fails("SELECT * FROM p WHERE id = $1", {datum(std::string("one"))}).code() ==
        errc::sql_type_mismatch);
  CHECK(f.fails("INSERT INTO p (id, name) VALUES ($1, $2)", {datum(std::int64_t{2}), datum(std::int64_t{5})})
            .code() == errc::sql_type_mismatch);
  error unbound = f.fails("SELECT $2", {datum(std::int64_t{1})});
  CHECK(unbound.code() == errc::invalid_argument);
  CHECK(unbound.message().find("no value for placeholder $2 (1 parameters given)") != std::string::npos);
  CHECK(f.fails("SELECT $1", {datum(std::uint64_t{1} << 63)}).code() == errc::sql_out_of_range);
  CHECK(f.fails("SELECT $1", {datum(bytes_value{"raw"})}).code() == errc::sql_unsupported);
}

TEST_CASE("session: result sets carry columns, types, tags, notices and the ledger") {
  fixture f;
  auto create = f.ok("CREATE TABLE r (id INT PRIMARY KEY, d DECIMAL(6,3), t TEXT)");
  CHECK(create.tag == "CREATE TABLE");
  CHECK(create.ledger.commit_rounds == 1);
  auto again = f.ok("CREATE TABLE IF NOT EXISTS r (id INT PRIMARY KEY)");
  CHECK(again.explanation == "table r already exists, skipping");
  CHECK(f.ok("INSERT INTO r VALUES (1, 1, 'a'), (2, 2, 'b')").tag == "INSERT 2");
  CHECK(f.ok("UPDATE r SET t = 'c'").tag == "UPDATE 2");
  auto sel = f.ok("SELECT id AS n, d * 2, t FROM r WHERE id = 1");
  CHECK(sel.tag == "SELECT 1");
  REQUIRE(sel.columns.size() == 3);
  CHECK(sel.columns[0].name == "n");
  CHECK(sel.columns[0].type == "BIGINT");
  CHECK(sel.columns[1].name == "(d * 2)");
  CHECK(sel.columns[1].type == "DECIMAL(38,3)");
  CHECK(sel.ledger.commit_path == "read-only");
  CHECK(sel.ledger.read_round_trips >= 2);
  CHECK(f.ok("DELETE FROM r WHERE id = 2").tag == "DELETE 1");
  CHECK(f.ok("BEGIN").tag == "BEGIN");
  CHECK(f.ok("ROLLBACK").tag == "ROLLBACK");
  auto plan = f.ok("EXPLAIN SELECT * FROM r WHERE id = 1");
  CHECK(plan.tag == "EXPLAIN");
  CHECK(plan.explanation.find("point get r by primary key: (id = 1)") != std::string::npos);
}

TEST_CASE("session: results past the row limit fail with sql_result_too_large") {
  fixture f;
  f.ok("CREATE TABLE d (n INT PRIMARY KEY)");
  f.ok("INSERT INTO d VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)");
  error e = f.fails(
      "SELECT a.n FROM d a JOIN d b ON TRUE JOIN d c ON TRUE JOIN d e ON TRUE JOIN d g ON TRUE "
      "JOIN d h ON TRUE");
  CHECK(e.code() == errc::sql_result_too_large);
  CHECK(e.message().find("100000") != std::string::npos);
  // An aggregate over the same rows is fine: nothing is held but the count.
  auto r = f.ok("SELECT count(*) FROM d a JOIN d b ON TRUE JOIN d c ON TRUE JOIN d e ON TRUE JOIN d g ON TRUE");
  CHECK(r.rows[0][0] == datum(std::int64_t{100000}));
}

TEST_CASE("session: gen_id() values are unique and increasing within a session") {
  fixture f;
  f.ok("CREATE TABLE g (id BIGINT DEFAULT gen_id() PRIMARY KEY, v INT)");
  std::string values = "(0)";
  for (int i = 1; i < 5000; ++i) values += ", (" + std::to_string(i) + ")";
  f.ok("INSERT INTO g (v) VALUES " + values);
  auto r = f.ok("SELECT count(DISTINCT id), count(*), min(id) FROM g");
  CHECK(r.rows[0][0] == datum(std::int64_t{5000}));
  CHECK(r.rows[0][1] == datum(std::int64_t{5000}));
  CHECK(std::get<std::int64_t>(r.rows[0][2]) > 0);
  // Ids follow insertion order within the statement.
  auto ordered = f.ok("SELECT v FROM g ORDER BY id LIMIT 3");
  CHECK(ordered.rows == std::vector<std::vector<datum>>{{datum(std::int64_t{0})},
                                                       {datum(std::int64_t{1})},
                                                       {datum(std::int64_t{2})}});
}

TEST_CASE("session: DROP TABLE deletes every row and index entry") {
  fixture f;
  f.ok("CREATE TABLE big (id INT PRIMARY KEY, v INT UNIQUE, w INT)");
  f.ok("CREATE INDEX big_w ON big (w)");
  std::string values = "(0, 0, 0)";
  for (int i = 1; i < 3000; ++i) {
    values += ", (" + std::to_string(i) + ", " + std::to_string(i) + ", " + std::to_string(i % 7) + ")";
  }
  f.ok("INSERT INTO big VALUES " + values);
  auto dropped = f.ok("DROP TABLE big");
  // Rows and entries go in bounded transactions: 9000 keys take several.
  CHECK(dropped.ledger.commit_rounds >= 9);
  auto t = txn::begin_blocking(f.db->engine());
  REQUIRE(t.ok());
  txn::blocking_transaction txn(std::move(*t));
  auto all = txn.scan("", "", 100);
  REQUIRE(all.ok());
  for (const auto& kv : all->rows) {
    auto key = storage::codec::decode(kv.key);
    REQUIRE(key.ok());
    CHECK(std::get<std::string>((*key)[0]) == "m");  // only the catalog remains
    CHECK(std::get<std::string>((*key)[1]) != "drop");
  }
}

// "(row(0)), (row(1)), ...": the VALUES list of n generated rows.
std::string rows_of(int n, const std::function<std::string(int)>& row) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? ", (" : "(") + row(i) + ")";
  return out;
}

TEST_CASE("session: joins emit their pairs in bounded batches, and every pair arrives") {
  // Outputs larger than query_limits::join_batch_rows from one outer batch: a hash join whose
  // keys all collide and a nested loop, each resumed where its last batch stopped.
  fixture f;
  f.ok("CREATE TABLE p (id BIGINT PRIMARY KEY, k BIGINT)");
  f.ok("INSERT INTO p VALUES " + rows_of(150, [](int i) { return std::to_string(i) + ", 7"; }));
  auto count = [&](const std::string& sql) {
    auto r = f.ok(sql);
    return std::get<std::int64_t>(r.rows.at(0).at(0));
  };
  CHECK(count("SELECT count(*) FROM p a JOIN p b ON a.k = b.k") == 150 * 150);
  CHECK(count("SELECT count(*) FROM p a JOIN p b ON a.id < b.id") == 150 * 149 / 2);
  CHECK(count("SELECT count(*) FROM p a JOIN p b ON a.k = b.k JOIN p c ON b.id = c.id") ==
        150 * 150);
  auto page = f.ok("SELECT a.id, b.id FROM p a JOIN p b ON a.k = b.k ORDER BY a.id DESC, b.id DESC "
                   "LIMIT 2");
  CHECK(std::get<std::int64_t>(page.rows.at(1).at(1)) == 148);
}

TEST_CASE("session: cancel stops a join that reads nothing more (Ctrl-C in the shell)") {
  fixture f;
  f.ok("CREATE TABLE c (id BIGINT PRIMARY KEY)");
  f.ok("INSERT INTO c VALUES " + rows_of(2000, [](int i) { return std::to_string(i); }));
  // Billions of pairs: far longer than the test waits, unless cancel is noticed.
  std::atomic<bool> finished{false};
  std::thread canceller([&] {  // again and again: a cancel before the statement starts is reset
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      f.s->cancel();
    }
  });
  auto e = f.fails("SELECT count(*) FROM c x JOIN c y ON x.id < y.id JOIN c z ON y.id < z.id");
  finished.store(true);
  canceller.join();
  CHECK(e.code() == errc::cancelled);
  CHECK(std::get<std::int64_t>(f.ok("SELECT count(*) FROM c").rows.at(0).at(0)) == 2000);
}

TEST_CASE("session: a join of more tables than the planner tracks is refused, not run") {
  fixture f;
  f.ok("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  f.ok("INSERT INTO t VALUES (1)");
  auto join_of = [](std::size_t tables) {
    std::string sql = "SELECT count(*) FROM t";
    for (std::size_t i = 1; i < tables; ++i) {
      sql += " JOIN t t" + std::to_string(i) + " ON t.id = t" + std::to_string(i) + ".id";
    }
    return sql;
  };
  auto at_limit = f.s->execute(join_of(query_limits::max_join_tables));
  REQUIRE(at_limit.ok());
  CHECK(std::get<std::int64_t>(at_limit->rows.at(0).at(0)) == 1);
  auto past = f.fails(join_of(query_limits::max_join_tables + 1));
  CHECK(past.code() == errc::limit_exceeded);
}

}  // namespace
}  // namespace meridian::query
