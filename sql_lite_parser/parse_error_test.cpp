// What users see when a statement is wrong: the exact message format (position, expectation,
// the offending line and a caret), one case per class of mistake, the features outside the
// subset, and every limit with its own error code, including deep nesting on a small stack.
#include <doctest/doctest.h>
#include <pthread.h>

#include <functional>

#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/parser_test_util.hpp"
#include "sql_lite_parser/sql_error.hpp"

using namespace meridian;
using namespace meridian::sql;
using meridian::sql::testing::fail_of;
using meridian::sql::testing::first_line;

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Runs f on a thread whose stack is `stack_bytes` (a stack overflow would crash the test).
bool run_with_stack(std::size_t stack_bytes, const std::function<void()>& f) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  bool started = pthread_create(&thread, &attr, body, const_cast<std::function<void()>*>(&f)) == 0;
  pthread_attr_destroy(&attr);
  if (started) pthread_join(thread, nullptr);
  return started;
}

}  // namespace

TEST_CASE("errors: the full message has position, expectation, found token, line and caret") {
  auto f = fail_of("SELECT * FROM t WHERE a =");
  REQUIRE(f.failed);
  CHECK(f.code == errc::sql_syntax);
  CHECK(f.message ==
        "line 1, column 26: expected an expression after '=', found end of input\n"
        "  SELECT * FROM t WHERE a =\n"
        "                           ^");
  auto st = parse_statement("SELECT * FROM t WHERE a =");
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().to_string().rfind(
            "E5001 sql_syntax: line 1, column 26: expected an expression after '=', found end "
            "of input (retry will not help)\n",
            0) == 0);
}

TEST_CASE("errors: the excerpt is the offending line of a multi-line statement") {
  auto f = fail_of("SELECT a,\n       b\n  FROM t\n WHERE a = = 1");
  REQUIRE(f.failed);
  CHECK(f.message ==
        "line 4, column 12: expected an expression after '=', found '='\n"
        "   WHERE a = = 1\n"
        "             ^");
  CHECK(f.pos.line == 4);
  CHECK(f.pos.column == 12);
  CHECK(f.pos.offset == 39);
}

TEST_CASE("errors: tabs and control characters print as spaces so the caret lines up") {
  auto f = fail_of("SELECT\t1 +\r\n\tFROM");
  REQUIRE(f.failed);
  CHECK(f.message ==
        "line 2, column 2: expected an expression after '+', found keyword FROM\n"
        "   FROM\n"
        "   ^");
  auto g = fail_of("SELECT 'é' é");
  CHECK(g.message.substr(g.message.find('\n')) == "\n  SELECT 'é' é\n             ^");
}

TEST_CASE("errors: a long line is cut to a window around the position") {
  std::string sql = "SELECT " + repeat("a + ", 100) + "FROM t";
  auto f = fail_of(sql);
  REQUIRE(f.failed);
  CHECK(f.pos.column == 408);
  std::string excerpt = f.message.substr(f.message.find('\n') + 1);
  std::string line = excerpt.substr(0, excerpt.find('\n'));
  std::string caret = excerpt.substr(excerpt.find('\n') + 1);
  CHECK(line.rfind("  ...", 0) == 0);
  CHECK(line.size() < 140);
  CHECK(line.substr(caret.size() - 1, 4) == "FROM");
  CHECK(caret.back() == '^');
}

namespace {

struct mistake {
  const char* sql;
  errc code;
  const char* first_line;
};
// One statement per class of mistake and the first line of its message.
const mistake mistakes[] = {
    {"SELEC 1", errc::sql_syntax,
     "line 1, column 1: expected a statement (SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, "
     "DROP, BEGIN, COMMIT, ROLLBACK, EXPLAIN, SHOW or DESCRIBE), found identifier SELEC"},
    {"SELECT 1 2", errc::sql_syntax,
     "line 1, column 10: expected ';' or the end of the statement after 1, found number 2"},
    {"SELECT a FROM t WHERE", errc::sql_syntax,
     "line 1, column 22: expected an expression after WHERE, found end of input"},
    {"SELECT (a + 1 FROM t", errc::sql_syntax,
     "line 1, column 15: expected ')' to close the '(' at line 1, column 8, found keyword "
     "FROM"},
    {"SELECT f(a b)", errc::sql_syntax,
     "line 1, column 12: expected ',' or ')' to close the call of f( at line 1, column 8, "
     "found identifier b"},
    // A quoted function name may span lines: the message quotes it escaped, on one line.
    {"SELECT \"f\ng\"(a b)", errc::sql_syntax,
     "line 2, column 6: expected ',' or ')' to close the call of f\\ng( at line 1, column 8, "
     "found identifier b"},
    {"SELECT a FROM", errc::sql_syntax,
     "line 1, column 14: expected a table name after FROM, found end of input"},
    {"SELECT a FROM (SELECT 1) x", errc::sql_unsupported,
     "line 1, column 15: subqueries and VALUES lists in FROM are not supported; name a table"},
    {"SELECT a FROM t JOIN (VALUES (1)) v ON true", errc::sql_unsupported,
     "line 1, column 22: subqueries and VALUES lists in FROM are not supported; name a table"},
    {"SELECT a FROM order", errc::sql_syntax,
     "line 1, column 15: expected a table name after FROM, found keyword ORDER (a reserved "
     "word: write \"order\" to use it as a name)"},
    {"SELECT a = NOT b", errc::sql_syntax,
     "line 1, column 12: expected an expression after '=', found keyword NOT (NOT binds more "
     "loosely than comparisons and arithmetic: write (NOT ...))"},
    {"SELECT a < b < c", errc::sql_syntax,
     "line 1, column 14: found '<' after a comparison, but comparisons do not chain: write "
     "a < b AND b < c, or add parentheses"},
    {"SELECT a BETWEEN 1 OR 2", errc::sql_syntax,
     "line 1, column 20: expected AND after 1, found keyword OR (BETWEEN takes low AND high)"},
    {"SELECT a IS 1", errc::sql_syntax,
     "line 1, column 13: expected NULL or NOT NULL after IS, found number 1"},
    {"SELECT a IN 1", errc::sql_syntax,
     "line 1, column 13: expected '(' and a list of values after IN, found number 1 (as in IN "
     "(1, 2, 3))"},
    {"SELECT CASE WHEN a THEN 1", errc::sql_syntax,
     "line 1, column 26: expected WHEN, ELSE or END to close the CASE at line 1, column 8, "
     "found end of input"},
    {"SELECT CASE a END", errc::sql_syntax,
     "line 1, column 15: expected WHEN after a, found keyword END"},
    {"SELECT t.a.b", errc::sql_syntax,
     "line 1, column 11: a column name has at most two parts (table.column), found a third "
     "'.'"},
    {"SELECT count(t.*)", errc::sql_syntax,
     "line 1, column 16: t.* is allowed only as an item of the select list"},
    {"INSERT INTO t VALUES (1", errc::sql_syntax,
     "line 1, column 24: expected ',' or ')' to close the row opened at line 1, column 22, "
     "found end of input"},
    {"UPDATE t SET a 1", errc::sql_syntax,
     "line 1, column 16: expected '=' after a, found number 1"},
    {"DELETE t", errc::sql_syntax, "line 1, column 8: expected FROM after DELETE, found "
                                   "identifier t"},
    {"SHOW tables x", errc::sql_syntax,
     "line 1, column 13: expected ';' or the end of the statement after TABLES, found "
     "identifier x"},
    {"SELECT 1; SELECT 'oops", errc::sql_syntax,
     "line 1, column 18: unterminated string: the ' here has no closing ' before the end of "
     "input"},
    {"SELECT a FROM t WHERE a = 'x' AND b = \"", errc::sql_syntax,
     "line 1, column 39: unterminated quoted name: the \" here has no closing \" before the "
     "end of input"},
    {"SELECT 1 /* open", errc::sql_syntax,
     "line 1, column 10: unterminated comment: the /* here has no closing */ before the end "
     "of input"},
};

}  // namespace

TEST_CASE("errors: each class of mistake has a clear message at the right place") {
  for (const mistake& r : mistakes) {
    CAPTURE(r.sql);
    auto f = fail_of(r.sql);
    REQUIRE(f.failed);
    CHECK(f.code == r.code);
    CHECK(first_line(f.message) == r.first_line);
  }
}

TEST_CASE("errors: the earliest problem wins over a later bad token") {
  // The parser fails at FROM before it would reach the unterminated string.
  auto f = fail_of("SELECT FROM t WHERE a = 'open");
  CHECK(first_line(f.message) ==
        "line 1, column 8: expected an expression after SELECT, found keyword FROM");
  // A bad token right where the parser looks is reported as itself.
  auto g = fail_of("SELECT 1 + 12abc");
  CHECK(first_line(g.message).find("column 12: bad number '12abc'") != std::string::npos);
}

TEST_CASE("errors: features outside the subset say so with sql_unsupported") {
  const char* rows[] = {
      "SELECT * FROM a LEFT JOIN b ON a.x = b.x",
      "SELECT * FROM a CROSS JOIN b",
      "SELECT * FROM a, b",
      "SELECT * FROM t WHERE a IN (SELECT b FROM u)",
      "SELECT (SELECT 1)",
      "SELECT 1 UNION SELECT 2",
      "SELECT * FROM s.t",
      "SELECT EXISTS (SELECT 1)",
      "INSERT INTO t SELECT * FROM u",
      "INSERT INTO t VALUES (1) ON CONFLICT (a) DO NOTHING",
      "INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1",
      "WITH x AS (SELECT 1) SELECT * FROM x",
  };
  for (const char* sql : rows) {
    CAPTURE(sql);
    auto f = fail_of(sql);
    CHECK(f.failed);
    CHECK(f.code == errc::sql_unsupported);
    CHECK(f.message.find("not supported") != std::string::npos);
  }
}

TEST_CASE("errors: the reported position is inside the input and matches the message") {
  const char* rows[] = {"", "(", "SELECT", "SELECT 'x", "x\n\n  y", "SELECT 1;\n\nSELECT é",
                        "SELECT\n1 +"};
  for (const char* sql : rows) {
    CAPTURE(sql);
    auto f = fail_of(std::string_view(sql) == "" ? "?" : sql);
    REQUIRE(f.failed);
    std::string_view text = std::string_view(sql) == "" ? "?" : sql;
    CHECK(f.pos.offset <= text.size());
    CHECK(position_of_offset(text, f.pos.offset) == f.pos);
    CHECK(f.message.rfind("line " + std::to_string(f.pos.line) + ", column " +
                              std::to_string(f.pos.column) + ": ",
                          0) == 0);
  }
}

TEST_CASE("limits: a statement may be exactly max_statement_bytes long, not one byte more") {
  std::size_t filler = parse_limits::max_statement_bytes - std::string_view("SELECT ''").size();
  std::string at_limit = "SELECT '" + std::string(filler, 'x') + "'";
  CHECK(at_limit.size() == parse_limits::max_statement_bytes);
  CHECK(parse_statement(at_limit).ok());
  auto over = fail_of("SELECT '" + std::string(filler + 1, 'x') + "'");
  CHECK(over.code == errc::sql_statement_too_long);
  CHECK(first_line(over.message) ==
        "line 1, column 1: the statement is longer than the limit of 1048576 bytes; split it "
        "into several statements");
  // In a script the limit applies to each statement (the ';' between them does not count),
  // and the error points at the start of the statement that is too long.
  std::string script = "SELECT 1;\n  SELECT '" + std::string(filler + 1, 'y') + "'";
  auto f = fail_of(script);
  CHECK(f.code == errc::sql_statement_too_long);
  CHECK(f.pos.line == 2);
  CHECK(f.pos.column == 3);
  std::string two = at_limit + ";" + at_limit;
  auto both = parse_script(two);
  REQUIRE(both.ok());
  CHECK(both->size() == 2);
}

TEST_CASE("limits: nesting deeper than max_nesting_depth fails with sql_nesting_too_deep") {
  const int limit = parse_limits::max_nesting_depth;
  auto parens = [](int n) { return repeat("(", n) + "1" + repeat(")", n); };
  // The top-level expression is one level, so limit - 1 parentheses still fit.
  CHECK(parse_statement("SELECT " + parens(limit - 1)).ok());
  auto f = fail_of("SELECT " + parens(limit));
  CHECK(f.code == errc::sql_nesting_too_deep);
  CHECK(f.pos.column == 7 + static_cast<unsigned>(limit));  // the '(' one level too deep
  CHECK(first_line(f.message).find("nests deeper than the limit of 200 levels") !=
        std::string::npos);
  // Operator chains build tall trees without parentheses: a + a + ... is limited too.
  CHECK(parse_statement("SELECT 1" + repeat(" + 1", limit - 1)).ok());
  CHECK(fail_of("SELECT 1" + repeat(" + 1", limit)).code == errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT 1" + repeat(" OR 1", limit)).code == errc::sql_nesting_too_deep);
  CHECK(parse_statement("SELECT " + repeat("NOT ", limit - 1) + "a").ok());
  CHECK(fail_of("SELECT " + repeat("NOT ", limit) + "a").code == errc::sql_nesting_too_deep);
  CHECK(parse_statement("SELECT " + repeat("- ", limit - 1) + "a").ok());
  CHECK(fail_of("SELECT " + repeat("-", limit) + "a").code == errc::sql_syntax);  // a comment
  CHECK(fail_of("SELECT " + repeat("- ", limit) + "a").code == errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT " + repeat("f(", limit) + "1" + repeat(")", limit)).code ==
        errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT " + repeat("CASE WHEN ", limit) + "1").code ==
        errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT " + repeat("a IN (", limit) + "1").code == errc::sql_nesting_too_deep);
  // Far deeper input fails just as cleanly (and quickly: the parser stops at the limit).
  CHECK(fail_of("SELECT " + repeat("(", 1000000)).code == errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT " + repeat("NOT ", 250000)).code == errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT " + repeat("- ", 500000)).code == errc::sql_nesting_too_deep);
  CHECK(fail_of("SELECT 1" + repeat("*1", 500000)).code == errc::sql_nesting_too_deep);
}

// The deepest statements need under 512 KiB optimised and under 1 MiB unoptimised; 2 MiB is a
// quarter of a default thread stack. AddressSanitizer's red zones make every frame several
// times larger.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t deep_parse_stack_bytes = std::size_t{8} << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t deep_parse_stack_bytes = std::size_t{8} << 20;
#else
constexpr std::size_t deep_parse_stack_bytes = std::size_t{2} << 20;
#endif
#else
constexpr std::size_t deep_parse_stack_bytes = std::size_t{2} << 20;
#endif

TEST_CASE("limits: the deepest accepted statements parse and print on a small thread stack") {
  const int depth = parse_limits::max_nesting_depth - 1;
  std::vector<std::string> deepest = {
      "SELECT " + repeat("(", depth) + "1" + repeat(")", depth),
      "SELECT " + repeat("f(", depth) + "1" + repeat(")", depth),
      "SELECT " + repeat("CASE WHEN ", depth) + "1" + repeat(" THEN 1 END", depth),
      "SELECT " + repeat("CAST(", depth) + "1" + repeat(" AS INT)", depth),
      "SELECT " + repeat("(NOT -", depth / 3) + "a" + repeat(")", depth / 3),
      "SELECT " + repeat("a IN (", depth / 2) + "1" + repeat(")", depth / 2),
      "SELECT " + repeat("a BETWEEN (", depth / 2) + "1" + repeat(") AND 2", depth / 2),
  };
  int parsed = 0;
  CHECK(run_with_stack(deep_parse_stack_bytes, [&] {
    for (const std::string& sql : deepest) {
      auto st = parse_statement(sql);
      if (st.ok() && !to_string(*st).empty()) ++parsed;  // the printer recurses too
    }
  }));
  CHECK(parsed == static_cast<int>(deepest.size()));
}

TEST_CASE("limits: placeholders and names over their limits fail with limit_exceeded") {
  auto f = fail_of("SELECT a FROM t WHERE a = $70000");
  CHECK(f.code == errc::limit_exceeded);
  CHECK(first_line(f.message) ==
        "line 1, column 27: placeholder $70000 exceeds the limit of $65535");
  std::string long_name(parse_limits::max_identifier_bytes + 1, 'c');
  auto g = fail_of("SELECT " + long_name + " FROM t");
  CHECK(g.code == errc::limit_exceeded);
  CHECK(first_line(g.message) ==
        "line 1, column 8: name of 129 bytes exceeds the limit of 128 bytes");
}

TEST_CASE("errors: sql_error formats any position, for the binder's errors too") {
  std::string sql = "SELECT nope FROM t";
  error e = make_sql_error(errc::sql_unknown_column, sql, position_of_offset(sql, 7),
                           "unknown column nope");
  CHECK(e.code() == errc::sql_unknown_column);
  CHECK(e.message() ==
        "line 1, column 8: unknown column nope\n"
        "  SELECT nope FROM t\n"
        "         ^");
  error at_end = make_sql_error(errc::sql_syntax, "", source_pos{}, "empty");
  CHECK(at_end.message() == "line 1, column 1: empty\n  \n  ^");
}
