// Schema statements and types: CREATE TABLE (column and table constraints, WITH options, the
// gen_id() default), CREATE INDEX, ALTER TABLE, DROP, every type spelling, and the checks the
// parser makes on its own (one primary key, NULL vs NOT NULL, DECIMAL and VARCHAR bounds).
#include <doctest/doctest.h>

#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/parser_test_util.hpp"

using namespace meridian;
using namespace meridian::sql;
using meridian::sql::testing::canon;

TEST_CASE("create table: the order table of the shop example, field by field") {
  auto st = parse_statement(
      "CREATE TABLE IF NOT EXISTS orders (\n"
      "  id BIGINT NOT NULL DEFAULT gen_id() PRIMARY KEY,\n"
      "  region TEXT NOT NULL,\n"
      "  total DECIMAL(12,2) DEFAULT 0,\n"
      "  note VARCHAR(200) NULL UNIQUE,\n"
      "  UNIQUE (region, note)\n"
      ") WITH (leader_dc = 'eu-west', home_dc_column = region)");
  REQUIRE(st.ok());
  const auto& s = std::get<create_table_stmt>(st->node);
  CHECK(s.if_not_exists);
  CHECK(s.name.value == "orders");
  REQUIRE(s.columns.size() == 4);
  const column_def& id = s.columns[0];
  CHECK(id.name.value == "id");
  CHECK(id.name.pos.line == 2);
  CHECK(id.type.kind == type_kind::bigint);
  CHECK(id.null_rule == nullability::not_null);
  CHECK(id.primary_key);
  REQUIRE(id.default_value);
  CHECK(is_generated_id(*id.default_value));
  CHECK(s.columns[2].type.kind == type_kind::decimal);
  CHECK(s.columns[2].type.precision == 12);
  CHECK(s.columns[2].type.scale == 2);
  CHECK_FALSE(is_generated_id(*s.columns[2].default_value));
  CHECK(s.columns[3].type.length == 200);
  CHECK(s.columns[3].null_rule == nullability::nullable);
  CHECK(s.columns[3].unique);
  REQUIRE(s.constraints.size() == 1);
  CHECK(s.constraints[0].kind == table_constraint_kind::unique);
  CHECK(s.constraints[0].columns[1].value == "note");
  REQUIRE(s.options.size() == 2);
  CHECK(s.options[0].name.value == "leader_dc");
  CHECK(std::get<literal>(s.options[0].value->node).text == "eu-west");
  CHECK(std::get<column_ref>(s.options[1].value->node).column == "region");
  CHECK(to_string(*st) ==
        "CREATE TABLE IF NOT EXISTS orders (id BIGINT NOT NULL DEFAULT gen_id() PRIMARY KEY, "
        "region TEXT NOT NULL, total DECIMAL(12,2) DEFAULT 0, note VARCHAR(200) NULL UNIQUE, "
        "UNIQUE (region, note)) WITH (leader_dc = 'eu-west', home_dc_column = region)");
}

TEST_CASE("create table: column constraints in any order print in one order") {
  CHECK(canon("CREATE TABLE t (a INT UNIQUE PRIMARY KEY DEFAULT 1 NOT NULL)") ==
        "CREATE TABLE t (a BIGINT NOT NULL DEFAULT 1 PRIMARY KEY UNIQUE)");
  CHECK(canon("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b))") ==
        "CREATE TABLE t (a BIGINT, b BIGINT, PRIMARY KEY (a, b))");
  CHECK(canon("CREATE TABLE t (a INT DEFAULT 1 + 2 NOT NULL)") ==
        "CREATE TABLE t (a BIGINT NOT NULL DEFAULT (1 + 2))");
}

TEST_CASE("types: every spelling and synonym") {
  CHECK(canon("CREATE TABLE t (a INT, b INTEGER, c BIGINT, d DOUBLE, e DOUBLE PRECISION, "
              "f FLOAT, g REAL, h DECIMAL(5), i NUMERIC(38,38), j TEXT, k VARCHAR(1), "
              "l BOOL, m BOOLEAN, n TIMESTAMP)") ==
        "CREATE TABLE t (a BIGINT, b BIGINT, c BIGINT, d DOUBLE, e DOUBLE, f DOUBLE, g DOUBLE, "
        "h DECIMAL(5,0), i DECIMAL(38,38), j TEXT, k VARCHAR(1), l BOOLEAN, m BOOLEAN, "
        "n TIMESTAMP)");
  CHECK(canon("create table t (x varchar(1048576))") == "CREATE TABLE t (x VARCHAR(1048576))");
}

TEST_CASE("types: bounds and missing parameters are explained") {
  auto message = [](const char* sql) { return testing::first_line(canon(sql)); };
  CHECK(message("CREATE TABLE t (a DECIMAL)") ==
        "error: line 1, column 26: expected '(' and a precision after DECIMAL, found ')' (as in "
        "DECIMAL(12,2))");
  CHECK(message("CREATE TABLE t (a DECIMAL(39,2))") ==
        "error: line 1, column 27: DECIMAL precision must be between 1 and 38, found 39");
  CHECK(message("CREATE TABLE t (a NUMERIC(5,6))") ==
        "error: line 1, column 29: NUMERIC scale must be between 0 and 5, found 6");
  CHECK(message("CREATE TABLE t (a DECIMAL(0))").find("between 1 and 38") != std::string::npos);
  CHECK(message("CREATE TABLE t (a VARCHAR)").find("as in VARCHAR(64)") != std::string::npos);
  CHECK(message("CREATE TABLE t (a VARCHAR(0))").find("VARCHAR length must be between 1") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (a VARCHAR(99999999999999999999))").find("must be between") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (a SERIAL)").find("write BIGINT DEFAULT gen_id()") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (a STRING)") ==
        "error: line 1, column 19: expected a type after a, found identifier STRING (one of "
        "BIGINT, INT, DOUBLE, DECIMAL(p,s), TEXT, VARCHAR(n), BOOLEAN, TIMESTAMP)");
}

TEST_CASE("create table: contradictions and repetitions are syntax errors") {
  auto message = [](const char* sql) { return testing::first_line(canon(sql)); };
  CHECK(message("CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY)") ==
        "error: line 1, column 36: a table has only one PRIMARY KEY; the first is at line 1, "
        "column 17 (for a key of several columns write PRIMARY KEY (a, b))");
  CHECK(message("CREATE TABLE t (a INT PRIMARY KEY, PRIMARY KEY (a))")
            .find("only one PRIMARY KEY") != std::string::npos);
  CHECK(message("CREATE TABLE t (a INT NULL NOT NULL)").find("both NULL and NOT NULL") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (a INT NULL PRIMARY KEY)").find("both NULL and PRIMARY KEY") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (a INT DEFAULT 1 DEFAULT 2)") ==
        "error: line 1, column 33: DEFAULT appears twice for column a");
  CHECK(message("CREATE TABLE t (a INT UNIQUE UNIQUE)").find("UNIQUE appears twice") !=
        std::string::npos);
  CHECK(message("CREATE TABLE t (PRIMARY KEY (a))") ==
        "error: line 1, column 16: a table needs a column");
  CHECK(message("CREATE TABLE t ()").find("expected a column name after '('") !=
        std::string::npos);
}

TEST_CASE("create index, alter table, drop table and drop index") {
  CHECK(canon("CREATE INDEX by_region ON orders (region)") ==
        "CREATE INDEX by_region ON orders (region)");
  CHECK(canon("create unique index if not exists u ON t (a, b)") ==
        "CREATE UNIQUE INDEX IF NOT EXISTS u ON t (a, b)");
  CHECK(canon("CREATE INDEX ON t (a)").find("an index needs a name") != std::string::npos);
  CHECK(canon("ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT ''") ==
        "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT ''");
  CHECK(canon("ALTER TABLE t ADD c INT") == "ALTER TABLE t ADD COLUMN c BIGINT");
  CHECK(canon("ALTER TABLE t SET leader_dc = 'ap-south'") ==
        "ALTER TABLE t SET leader_dc = 'ap-south'");
  CHECK(canon("DROP TABLE t") == "DROP TABLE t");
  CHECK(canon("DROP TABLE IF EXISTS t") == "DROP TABLE IF EXISTS t");
  CHECK(canon("DROP INDEX i") == "DROP INDEX i");
  CHECK(canon("drop index if exists i") == "DROP INDEX IF EXISTS i");
  auto st = parse_statement("ALTER TABLE t SET home_dc_column = region");
  REQUIRE(st.ok());
  const auto& alter = std::get<alter_table_stmt>(st->node);
  CHECK(alter.action == alter_action::set_option);
  CHECK(alter.option.name.value == "home_dc_column");
  // IF is not reserved: a table may be called "if", and the printout quotes it.
  CHECK(canon("DROP TABLE if") == "DROP TABLE \"if\"");
  CHECK(canon("CREATE TABLE if (a INT)") == "CREATE TABLE \"if\" (a BIGINT)");
}

TEST_CASE("generated ids: only gen_id() with no arguments is the generated-id default") {
  auto default_of = [](const char* column) {
    auto st = parse_statement("CREATE TABLE t (" + std::string(column) + ")");
    REQUIRE(st.ok());
    return std::move(std::get<create_table_stmt>(st->node).columns[0].default_value);
  };
  CHECK(is_generated_id(*default_of("id BIGINT DEFAULT gen_id()")));
  CHECK(is_generated_id(*default_of("id BIGINT DEFAULT GEN_ID()")));
  CHECK_FALSE(is_generated_id(*default_of("id BIGINT DEFAULT gen_id(1)")));
  CHECK_FALSE(is_generated_id(*default_of("id BIGINT DEFAULT now()")));
  CHECK_FALSE(is_generated_id(*default_of("id BIGINT DEFAULT \"GEN_ID\"()")));
}
