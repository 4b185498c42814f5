// SELECT, INSERT, UPDATE, DELETE, transactions, EXPLAIN, SHOW and DESCRIBE, and scripts of
// several statements: each construct of issue 6 parses to the expected tree (checked through
// the canonical printout and, for the binder's key fields, directly).
#include <doctest/doctest.h>

#include "sql_lite_parser/parse_benchmark.hpp"
#include "sql_lite_parser/parser_test_util.hpp"

using namespace meridian;
using namespace meridian::sql;
using meridian::sql::testing::canon;

TEST_CASE("select: the point query and its tree") {
  auto st = parse_statement("SELECT a, b FROM t WHERE id = 42");
  REQUIRE(st.ok());
  const auto& s = std::get<select_stmt>(st->node);
  REQUIRE(s.items.size() == 2);
  CHECK(std::get<column_ref>(s.items[1].value->node).column == "b");
  CHECK(s.items[1].pos.column == 11);
  REQUIRE(s.from.has_value());
  CHECK(s.from->table.value == "t");
  CHECK(s.from->table.pos.column == 18);
  CHECK_FALSE(s.from->alias.has_value());
  const auto& where = std::get<binary_expr>(s.where->node);
  CHECK(where.op == binary_op::equal);
  CHECK(std::get<literal>(where.right->node).text == "42");
  CHECK(st->pos.offset == 0);
  CHECK(st->end_offset == 32);
  CHECK(to_string(*st) == "SELECT a, b FROM t WHERE (id = 42)");
}

TEST_CASE("select: list items, aliases, star and table star") {
  CHECK(canon("SELECT DISTINCT a AS x, b y, *, t.*, \"T\".* FROM t") ==
        "SELECT DISTINCT a AS x, b AS y, *, t.*, \"T\".* FROM t");
  CHECK(canon("select 1 + 2") == "SELECT (1 + 2)");
  CHECK(canon("SELECT 1 WHERE TRUE") == "SELECT 1 WHERE TRUE");
  CHECK(canon("SELECT count(*) AS \"Count\" FROM t") == "SELECT count(*) AS \"Count\" FROM t");
  auto st = parse_statement("SELECT t.* FROM t");
  REQUIRE(st.ok());
  const auto& item = std::get<select_stmt>(st->node).items[0];
  CHECK(item.kind == select_item_kind::table_star);
  CHECK(item.table.value == "t");
}

TEST_CASE("select: joins with aliases, INNER optional") {
  CHECK(canon("SELECT o.id FROM orders AS o INNER JOIN customers c ON o.cid = c.id "
              "JOIN regions r ON r.id = c.rid") ==
        "SELECT o.id FROM orders AS o INNER JOIN customers AS c ON (o.cid = c.id) "
        "INNER JOIN regions AS r ON (r.id = c.rid)");
  auto st = parse_statement("SELECT 1 FROM a JOIN b AS bb ON a.x = bb.x");
  REQUIRE(st.ok());
  const auto& s = std::get<select_stmt>(st->node);
  REQUIRE(s.joins.size() == 1);
  CHECK(s.joins[0].table.table.value == "b");
  CHECK(s.joins[0].table.alias->value == "bb");
  CHECK(s.joins[0].pos.column == 17);
}

TEST_CASE("select: WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, FOR UPDATE in order") {
  CHECK(canon("SELECT region, sum(total) FROM orders WHERE total > 0 GROUP BY region, 2 "
              "HAVING sum(total) > 100 ORDER BY region ASC, 2 DESC LIMIT 10 OFFSET 20 "
              "FOR UPDATE") ==
        "SELECT region, sum(total) FROM orders WHERE (total > 0) GROUP BY region, 2 "
        "HAVING (sum(total) > 100) ORDER BY region, 2 DESC LIMIT 10 OFFSET 20 FOR UPDATE");
  CHECK(canon("SELECT a FROM t OFFSET 5 LIMIT $1") == "SELECT a FROM t LIMIT $1 OFFSET 5");
  auto st = parse_statement("SELECT a FROM t ORDER BY a DESC, b");
  REQUIRE(st.ok());
  const auto& s = std::get<select_stmt>(st->node);
  REQUIRE(s.order_by.size() == 2);
  CHECK(s.order_by[0].descending);
  CHECK_FALSE(s.order_by[1].descending);
}

TEST_CASE("select: AS OF SYSTEM TIME after the FROM clause or at the end") {
  CHECK(canon("SELECT * FROM t AS OF SYSTEM TIME '-10s'") ==
        "SELECT * FROM t AS OF SYSTEM TIME '-10s'");
  CHECK(canon("SELECT * FROM t AS OF SYSTEM TIME '-10s' WHERE a = 1") ==
        "SELECT * FROM t WHERE (a = 1) AS OF SYSTEM TIME '-10s'");
  CHECK(canon("SELECT * FROM t x WHERE a = 1 LIMIT 1 AS OF SYSTEM TIME '-5s'") ==
        "SELECT * FROM t AS x WHERE (a = 1) LIMIT 1 AS OF SYSTEM TIME '-5s'");
  CHECK(canon("SELECT a FROM t as of system time '-1s' for update") ==
        "SELECT a FROM t FOR UPDATE AS OF SYSTEM TIME '-1s'");
  CHECK(canon("SELECT * FROM t AS OF SYSTEM TIME '-1s' AS OF SYSTEM TIME '-2s'")
            .find("AS OF SYSTEM TIME appears twice") != std::string::npos);
  CHECK(canon("SELECT * FROM t LIMIT 1 LIMIT 2").find("LIMIT appears twice") !=
        std::string::npos);
}

TEST_CASE("insert: column list, several rows, ON CONFLICT DO NOTHING") {
  CHECK(canon("INSERT INTO t (a, b) VALUES (1, 'x'), ($1, NULL) ON CONFLICT DO NOTHING") ==
        "INSERT INTO t (a, b) VALUES (1, 'x'), ($1, NULL) ON CONFLICT DO NOTHING");
  CHECK(canon("insert into t values (1)") == "INSERT INTO t VALUES (1)");
  auto st = parse_statement("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)");
  REQUIRE(st.ok());
  const auto& s = std::get<insert_stmt>(st->node);
  CHECK(s.table.value == "t");
  CHECK(s.columns.size() == 2);
  CHECK(s.rows.size() == 2);
  CHECK(s.rows[1].size() == 2);
  CHECK_FALSE(s.on_conflict_do_nothing);
  CHECK(canon("INSERT INTO t VALUES (1, 2), (3)")
            .find("this row has 1 values but the first has 2") != std::string::npos);
  CHECK(canon("INSERT INTO t (a) VALUES (1, 2)").find("this row has 2 values for 1 columns") !=
        std::string::npos);
}

TEST_CASE("update and delete, with and without WHERE") {
  CHECK(canon("UPDATE t SET a = a + 1, b = 'x' WHERE id = $1") ==
        "UPDATE t SET a = (a + 1), b = 'x' WHERE (id = $1)");
  CHECK(canon("UPDATE t SET a = DEFAULT").find("found keyword DEFAULT") != std::string::npos);
  CHECK(canon("update t set a = 1") == "UPDATE t SET a = 1");
  CHECK(canon("DELETE FROM t WHERE a IN (1, 2)") == "DELETE FROM t WHERE (a IN (1, 2))");
  CHECK(canon("delete from t") == "DELETE FROM t");
  auto st = parse_statement("UPDATE t SET b = 2");
  REQUIRE(st.ok());
  const auto& s = std::get<update_stmt>(st->node);
  REQUIRE(s.assignments.size() == 1);
  CHECK(s.assignments[0].column.value == "b");
  CHECK(s.assignments[0].column.pos.column == 14);
  CHECK(s.where == nullptr);
}

TEST_CASE("transactions, EXPLAIN, SHOW TABLES and DESCRIBE") {
  CHECK(canon("BEGIN") == "BEGIN");
  CHECK(canon("begin transaction") == "BEGIN");
  CHECK(canon("COMMIT") == "COMMIT");
  CHECK(canon("COMMIT TRANSACTION") == "COMMIT");
  CHECK(canon("ROLLBACK") == "ROLLBACK");
  CHECK(canon("SHOW TABLES") == "SHOW TABLES");
  CHECK(canon("DESCRIBE Orders") == "DESCRIBE orders");
  CHECK(canon("EXPLAIN SELECT a FROM t WHERE a = 1") == "EXPLAIN SELECT a FROM t WHERE (a = 1)");
  CHECK(canon("EXPLAIN EXPLAIN SELECT 1").find("EXPLAIN cannot be nested") != std::string::npos);
  auto st = parse_statement("EXPLAIN DELETE FROM t");
  REQUIRE(st.ok());
  const auto& inner = *std::get<explain_stmt>(st->node).inner;
  CHECK(std::holds_alternative<delete_stmt>(inner.node));
  CHECK(inner.pos.column == 9);
}

TEST_CASE("keywords in any case, comments anywhere, quoted names keep case") {
  CHECK(canon("sElEcT /* c */ A -- trailing\n FrOm \"T\" wHeRe \"A\" = 1;") ==
        "SELECT a FROM \"T\" WHERE (\"A\" = 1)");
  CHECK(canon("SELECT \"select\" FROM \"from\"") == "SELECT \"select\" FROM \"from\"");
  CHECK(canon("SELECT key, value FROM kv") == "SELECT \"key\", value FROM kv");
}

TEST_CASE("scripts: several statements, empty ones skipped, positions per statement") {
  std::string sql = "BEGIN;\nINSERT INTO t VALUES (1);;\n  SELECT 1;\nCOMMIT";
  auto script = parse_script(sql);
  REQUIRE(script.ok());
  REQUIRE(script->size() == 4);
  CHECK(to_string((*script)[1]) == "INSERT INTO t VALUES (1)");
  CHECK((*script)[2].pos.line == 3);
  CHECK((*script)[2].pos.column == 3);
  const statement& select = (*script)[2];
  CHECK(sql.substr(select.pos.offset, select.end_offset - select.pos.offset) == "SELECT 1");
  CHECK(parse_script("")->empty());
  CHECK(parse_script(" ;; -- nothing\n ;")->empty());
  CHECK(parse_script("SELECT 1;")->size() == 1);
}

TEST_CASE("parse_statement: exactly one statement, optionally ended by a semicolon") {
  CHECK(parse_statement("SELECT 1;").ok());
  CHECK(parse_statement("SELECT 1 ; -- done").ok());
  auto two = parse_statement("SELECT 1; SELECT 2");
  REQUIRE_FALSE(two.ok());
  CHECK(two.err().message().find("this call takes exactly one statement") != std::string::npos);
  auto none = parse_statement("  ");
  REQUIRE_FALSE(none.ok());
  CHECK(testing::first_line(none.err().message()) ==
        "line 1, column 1: expected a statement, found end of input");
  CHECK_FALSE(parse_statement(";").ok());
  CHECK_FALSE(parse_statement("SELECT 1;;").ok());
}

TEST_CASE("benchmark: the point-select benchmark parses its statement and reports a rate") {
  // Not a timing test: `meridian bench sql` reads the figure; this only checks that it runs.
  CHECK(bench_parse_point_select(100) > 0.0);
}
