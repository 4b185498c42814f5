// The executor's asynchrony: the trampoline keeps the stack flat whether the engine calls
// back inline or later; statements complete when the engine's callbacks arrive out of line
// (test_engines.hpp); autocommit statements retry write conflicts; cancel() stops a statement.
#include <doctest/doctest.h>

#include <pthread.h>

#include <thread>

#include "query/exec_context.hpp"
#include "query/local_database.hpp"
#include "query/session.hpp"
#include "query/test_engines.hpp"

namespace meridian::query {
namespace {

using testing::deferred_engine;

TEST_CASE("trampoline: tasks posted from a running task run after it, not inside it") {
  auto t = std::make_shared<trampoline>();
  int depth = 0, max_depth = 0, runs = 0;
  std::function<void()> task = [&]() {
    ++depth;
    max_depth = std::max(max_depth, depth);
    if (++runs < 100000) t->post(task);
    --depth;
  };
  t->post(task);
  CHECK(runs == 100000);
  CHECK(max_depth == 1);
  CHECK(t->tasks_run() == 100000);
}

TEST_CASE("trampoline: posts from another thread join the running drain or start one") {
  auto t = std::make_shared<trampoline>();
  std::atomic<int> runs{0};
  std::thread other([&]() {
    for (int i = 0; i < 1000; ++i) t->post([&]() { runs.fetch_add(1); });
  });
  for (int i = 0; i < 1000; ++i) t->post([&]() { runs.fetch_add(1); });
  other.join();
  CHECK(runs.load() == 2000);
}

// Runs `body` on a thread with a 256 KiB stack: a statement whose inline callbacks nested a
// frame per page would overflow it.
void on_small_stack(std::function<void()> body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  auto* heap_body = new std::function<void()>(std::move(body));
  int rc = pthread_create(
      &thread, &attr,
      [](void* arg) -> void* {
        auto* f = static_cast<std::function<void()>*>(arg);
        (*f)();
        delete f;
        return nullptr;
      },
      heap_body);
  REQUIRE(rc == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST_CASE("executor: a long scan over an inline engine runs in constant stack") {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session s((*db)->engine());
  REQUIRE(s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)").ok());
  for (int chunk = 0; chunk < 40; ++chunk) {
    std::string values;
    for (int i = 0; i < 1000; ++i) {
      int id = chunk * 1000 + i;
      values += (i > 0 ? ", (" : "(") + std::to_string(id) + ", " + std::to_string(id % 10) + ")";
    }
    REQUIRE(s.execute("INSERT INTO t VALUES " + values).ok());
  }
  // 157 pages, every one filtered away: the filter keeps asking for the next page.
  result<result_set> r = error(errc::internal, "not run");
  on_small_stack([&]() { r = s.execute("SELECT count(*) FROM t WHERE v = 11"); });
  REQUIRE(r.ok());
  CHECK(r->rows[0][0] == datum(std::int64_t{0}));
  on_small_stack([&]() { r = s.execute("SELECT id FROM t WHERE v = 3 AND id > 39000 ORDER BY id DESC LIMIT 2"); });
  REQUIRE(r.ok());
  CHECK(r->rows == std::vector<std::vector<datum>>{{datum(std::int64_t{39993})}, {datum(std::int64_t{39983})}});
}

TEST_CASE("executor: statements complete when the engine calls back later") {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  deferred_engine engine((*db)->engine(), 7);
  session_options options;
  options.defer = [](std::uint32_t, std::function<void()> task) { task(); };
  session s(engine, options);
  auto run = [&](const std::string& sql) {
    std::optional<result<result_set>> out;
    s.execute_async(sql, {}, [&](result<result_set> r) { out = std::move(r); });
    CHECK_FALSE(out.has_value());  // nothing completes until the engine is pumped
    while (!out && engine.pump_one()) {
    }
    REQUIRE(out.has_value());
    REQUIRE_MESSAGE(out->ok(), out->err().to_string());
    return std::move(**out);
  };
  run("CREATE TABLE t (id INT PRIMARY KEY, v TEXT UNIQUE)");
  run("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  run("CREATE TABLE u (id INT PRIMARY KEY, t_id INT)");
  run("INSERT INTO u VALUES (10, 1), (11, 3)");
  auto joined = run("SELECT u.id, t.v FROM u JOIN t ON t.id = u.t_id ORDER BY u.id");
  CHECK(joined.rows == std::vector<std::vector<datum>>{{datum(std::int64_t{10}), datum(std::string("a"))},
                                                      {datum(std::int64_t{11}), datum(std::string("c"))}});
  run("BEGIN");
  run("UPDATE t SET v = 'z' WHERE id = 2");
  CHECK(run("SELECT v FROM t WHERE v = 'z'").rows.size() == 1);
  run("COMMIT");
  CHECK(run("SELECT count(*) FROM t").rows[0][0] == datum(std::int64_t{3}));
}

TEST_CASE("session: autocommit statements retry write conflicts") {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  {
    session setup((*db)->engine());
    REQUIRE(setup.execute("CREATE TABLE c (id INT PRIMARY KEY, n INT)").ok());
    REQUIRE(setup.execute("INSERT INTO c VALUES (1, 0)").ok());
  }
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    deferred_engine engine((*db)->engine(), seed);
    session_options options;
    options.defer = [](std::uint32_t, std::function<void()> task) { task(); };
    session a(engine, options), b(engine, options);
    std::optional<result<result_set>> ra, rb;
    a.execute_async("UPDATE c SET n = n + 1 WHERE id = 1", {}, [&](result<result_set> r) { ra = std::move(r); });
    b.execute_async("UPDATE c SET n = n + 1 WHERE id = 1", {}, [&](result<result_set> r) { rb = std::move(r); });
    while (engine.pump_one()) {
    }
    REQUIRE(ra.has_value());
    REQUIRE(rb.has_value());
    INFO("seed " << seed);
    REQUIRE_MESSAGE(ra->ok(), ra->err().to_string());
    REQUIRE_MESSAGE(rb->ok(), rb->err().to_string());
  }
  session check((*db)->engine());
  auto r = check.execute("SELECT n FROM c");
  REQUIRE(r.ok());
  CHECK(r->rows[0][0] == datum(std::int64_t{40}));  // no increment lost
}

TEST_CASE("session: cancel() stops a running statement") {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  session setup((*db)->engine());
  REQUIRE(setup.execute("CREATE TABLE t (id INT PRIMARY KEY)").ok());
  std::string values = "(0)";
  for (int i = 1; i < 2000; ++i) values += ", (" + std::to_string(i) + ")";
  REQUIRE(setup.execute("INSERT INTO t VALUES " + values).ok());
  deferred_engine engine((*db)->engine(), 3);
  session s(engine);
  std::optional<result<result_set>> out;
  s.execute_async("SELECT count(*) FROM t", {}, [&](result<result_set> r) { out = std::move(r); });
  for (int i = 0; i < 4; ++i) REQUIRE(engine.pump_one());
  s.cancel();
  while (engine.pump_one()) {
  }
  REQUIRE(out.has_value());
  REQUIRE_FALSE(out->ok());
  CHECK(out->err().code() == errc::cancelled);
  // The next statement runs normally.
  std::optional<result<result_set>> next;
  s.execute_async("SELECT count(*) FROM t", {}, [&](result<result_set> r) { next = std::move(r); });
  while (engine.pump_one()) {
  }
  REQUIRE(next.has_value());
  REQUIRE(next->ok());
  CHECK((*next)->rows[0][0] == datum(std::int64_t{2000}));
}

}  // namespace
}  // namespace meridian::query
