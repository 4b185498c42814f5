// Binder and planner without an engine: descriptors built in memory, statements parsed, bound
// and planned. Checks the access path chosen for each shape of WHERE clause, join methods,
// and that binder errors point at the offending text.
#include <doctest/doctest.h>

#include "query/bound_statement.hpp"
#include "query/planner.hpp"
#include "sql_lite_parser/parser.hpp"

namespace meridian::query {
namespace {

descriptor_ptr make_table(std::int64_t id, const std::string& name,
                          std::vector<std::pair<std::string, sql_type>> columns,
                          std::vector<std::uint32_t> primary_key,
                          std::vector<index_descriptor> indexes = {}) {
  auto t = std::make_shared<table_descriptor>();
  t->id = id;
  t->name = name;
  for (auto& [n, type] : columns) {
    column_descriptor c;
    c.id = t->next_column_id++;
    c.name = n;
    c.type = type;
    t->columns.push_back(c);
  }
  t->primary_key = std::move(primary_key);
  t->indexes = std::move(indexes);
  return t;
}

index_descriptor index_on(std::uint32_t id, std::string name, std::vector<std::uint32_t> columns,
                          bool unique, index_state state = index_state::public_) {
  index_descriptor ix;
  ix.id = id;
  ix.name = std::move(name);
  ix.column_ids = std::move(columns);
  ix.unique = unique;
  ix.state = state;
  return ix;
}

struct catalog {
  table_map tables;
  catalog() {
    // users(region, id, email, city, age): primary key (region, id)
    tables["users"] = make_table(
        1, "users",
        {{"region", sql_type::text()}, {"id", sql_type::bigint()}, {"email", sql_type::text()},
         {"city", sql_type::text()}, {"age", sql_type::bigint()}},
        {1, 2},
        {index_on(1, "users_email", {3}, true), index_on(2, "users_city_age", {4, 5}, false),
         index_on(3, "users_age_building", {5}, false, index_state::write_only)});
    tables["orders"] = make_table(2, "orders",
                                  {{"id", sql_type::bigint()}, {"user_id", sql_type::bigint()},
                                   {"region", sql_type::text()}, {"total", sql_type::decimal(10, 2)}},
                                  {1});
  }

  result<statement_plan> plan(const std::string& sql, std::vector<datum> params = {}) {
    source_ = sql;
    auto st = sql::parse_statement(source_);
    if (!st) return st.err();
    statement_ = std::make_unique<sql::statement>(std::move(*st));
    bind_context ctx{source_, &params_};
    params_ = std::move(params);
    auto bound = bind_statement(*statement_, tables, ctx);
    if (!bound) return bound.err();
    plan_context pctx;
    pctx.eval.source = source_;
    return plan_statement(std::move(*bound), pctx);
  }

  const table_access& first(const std::string& sql) {
    auto p = plan(sql);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.err().to_string()));
    last_ = std::move(*p);
    return std::get<select_plan>(last_.node).first;
  }

  std::string source_;
  std::vector<datum> params_;
  std::unique_ptr<sql::statement> statement_;
  statement_plan last_;
};

TEST_CASE("planner: equality on the whole primary key is a point get") {
  catalog c;
  const auto& a = c.first("SELECT * FROM users WHERE region = 'eu' AND id = 7");
  CHECK(a.kind == access_kind::point_get);
  CHECK(a.keys.size() == 1);
  CHECK(a.filter.empty());
  const auto& b = c.first("SELECT * FROM users WHERE region IN ('eu', 'us') AND id IN (1, 2, 3) AND age > 3");
  CHECK(b.kind == access_kind::point_get);
  CHECK(b.keys.size() == 6);
  CHECK(b.filter.size() == 1);
}

TEST_CASE("planner: a primary-key prefix or range is a range scan") {
  catalog c;
  const auto& a = c.first("SELECT * FROM users WHERE region = 'eu'");
  CHECK(a.kind == access_kind::range_scan);
  CHECK(a.start < a.end);
  const auto& b = c.first("SELECT * FROM users WHERE region = 'eu' AND id > 10 AND id <= 20");
  CHECK(b.kind == access_kind::range_scan);
  CHECK(b.filter.size() == 2);  // range conditions are re-checked
  const auto& full = c.first("SELECT * FROM users WHERE id = 7");
  CHECK(full.kind == access_kind::full_scan);
}

TEST_CASE("planner: public secondary indexes are used, write-only ones are not") {
  catalog c;
  const auto& a = c.first("SELECT * FROM users WHERE email = 'a@b'");
  CHECK(a.kind == access_kind::index_point);
  CHECK(a.index->name == "users_email");
  const auto& b = c.first("SELECT * FROM users WHERE city = 'rome' AND age >= 30");
  CHECK(b.kind == access_kind::index_scan);
  CHECK(b.index->name == "users_city_age");
  const auto& d = c.first("SELECT * FROM users WHERE age = 30");
  CHECK(d.kind == access_kind::full_scan);
}

TEST_CASE("planner: conditions that can never hold read nothing") {
  catalog c;
  CHECK(c.first("SELECT * FROM users WHERE region = NULL AND id = 1").empty);
  CHECK(c.first("SELECT * FROM users WHERE email IN (NULL)").empty);
  CHECK_FALSE(c.first("SELECT * FROM users WHERE email IN (NULL, 'x')").empty);
}

TEST_CASE("planner: keys only from compatible types, others stay in the filter") {
  catalog c;
  // 7.5 cannot be a BIGINT key: the condition is a filter over a range of the prefix.
  const auto& a = c.first("SELECT * FROM users WHERE region = 'eu' AND id = 7.5");
  CHECK(a.kind == access_kind::range_scan);
  CHECK(a.filter.size() == 1);
  // Parameters are constants: they key like literals.
  auto p = c.plan("SELECT * FROM orders WHERE id = $1", {datum(std::int64_t{4})});
  REQUIRE(p.ok());
  CHECK(std::get<select_plan>(p->node).first.kind == access_kind::point_get);
}

TEST_CASE("planner: joins pick lookups by key or index, else hash, else nested loop") {
  catalog c;
  auto lookup_pk = c.plan("SELECT * FROM orders o JOIN users u ON u.region = o.region AND u.id = o.user_id");
  REQUIRE(lookup_pk.ok());
  const auto& j1 = std::get<select_plan>(lookup_pk->node).joins.at(0);
  CHECK(j1.kind == join_kind::lookup);
  CHECK(j1.inner.kind == access_kind::point_get);
  CHECK(j1.filter.empty());
  auto lookup_index = c.plan("SELECT * FROM orders o JOIN users u ON u.email = o.region");
  REQUIRE(lookup_index.ok());
  CHECK(std::get<select_plan>(lookup_index->node).joins.at(0).inner.kind == access_kind::index_point);
  auto hash = c.plan("SELECT * FROM users u JOIN orders o ON o.user_id = u.age");
  REQUIRE(hash.ok());
  CHECK(std::get<select_plan>(hash->node).joins.at(0).kind == join_kind::hash);
  auto loop = c.plan("SELECT * FROM users u JOIN orders o ON o.total > u.age");
  REQUIRE(loop.ok());
  CHECK(std::get<select_plan>(loop->node).joins.at(0).kind == join_kind::nested_loop);
  // A condition on one table is pushed down to its access.
  auto pushed = c.plan("SELECT * FROM users u JOIN orders o ON o.user_id = u.age WHERE o.id = 5");
  REQUIRE(pushed.ok());
  CHECK(std::get<select_plan>(pushed->node).joins.at(0).inner.kind == access_kind::point_get);
}

TEST_CASE("binder: errors name the problem and point at it") {
  catalog c;
  auto unknown = c.plan("SELECT nope FROM users");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code() == errc::sql_unknown_column);
  CHECK(unknown.err().message().find("line 1, column 8") != std::string::npos);
  auto mismatch = c.plan("SELECT * FROM users WHERE age + 'x' > 1");
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.err().code() == errc::sql_type_mismatch);
  CHECK(mismatch.err().message().find("line 1, column 31: operator + cannot be applied to BIGINT and TEXT") !=
        std::string::npos);
  auto ambiguous = c.plan("SELECT region FROM users JOIN orders ON orders.user_id = users.id");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.err().code() == errc::sql_ambiguous_column);
  auto table = c.plan("SELECT * FROM nope");
  REQUIRE_FALSE(table.ok());
  CHECK(table.err().message().find("line 1, column 15: table nope does not exist") != std::string::npos);
  auto not_null = c.plan("INSERT INTO users (region) VALUES ('eu')");
  REQUIRE(not_null.ok());  // id is nullable in this hand-made descriptor: NULL is checked on write
}

}  // namespace
}  // namespace meridian::query
