// Expressions: precedence (OR < AND < NOT < comparison < + - || < * / % < unary < primary),
// left associativity, non-chaining comparisons, every primary form, literal kinds and the
// positions and heights the binder relies on. The canonical printout shows the tree's shape.
#include <doctest/doctest.h>

#include "sql_lite_parser/parser_test_util.hpp"

using namespace meridian;
using namespace meridian::sql;
using meridian::sql::testing::canon_expr;
using meridian::sql::testing::parse_expr;

TEST_CASE("expressions: precedence from OR (loosest) to unary minus (tightest)") {
  CHECK(canon_expr("a OR b AND c") == "(a OR (b AND c))");
  CHECK(canon_expr("a AND b OR c") == "((a AND b) OR c)");
  CHECK(canon_expr("NOT a AND b") == "((NOT a) AND b)");
  CHECK(canon_expr("NOT a = b") == "(NOT (a = b))");
  CHECK(canon_expr("a = b AND c <> d") == "((a = b) AND (c <> d))");
  CHECK(canon_expr("a + b = c * d") == "((a + b) = (c * d))");
  CHECK(canon_expr("a + b * c") == "(a + (b * c))");
  CHECK(canon_expr("a * b + c") == "((a * b) + c)");
  CHECK(canon_expr("a || b + c") == "((a || b) + c)");
  CHECK(canon_expr("-a * b") == "((- a) * b)");
  CHECK(canon_expr("- (a * b)") == "(- (a * b))");
  CHECK(canon_expr("a % b / c * d") == "(((a % b) / c) * d)");
  CHECK(canon_expr("(a OR b) AND c") == "((a OR b) AND c)");
  CHECK(canon_expr("a + b IS NULL") == "((a + b) IS NULL)");
  CHECK(canon_expr("NOT a IS NOT NULL") == "(NOT (a IS NOT NULL))");
  CHECK(canon_expr("a + 1 BETWEEN b - 1 AND c * 2") ==
        "((a + 1) BETWEEN (b - 1) AND (c * 2))");
  CHECK(canon_expr("a BETWEEN 1 AND 2 AND b") == "((a BETWEEN 1 AND 2) AND b)");
  CHECK(canon_expr("a || 'x' LIKE 'p%' OR b") == "(((a || 'x') LIKE 'p%') OR b)");
  CHECK(canon_expr("a + 1 IN (1, 2 + 3)") == "((a + 1) IN (1, (2 + 3)))");
  CHECK(canon_expr("x = 1 OR y = 2 AND NOT z < 3") == "((x = 1) OR ((y = 2) AND (NOT (z < 3))))");
}

TEST_CASE("expressions: binary operators of one level associate to the left") {
  CHECK(canon_expr("a - b - c") == "((a - b) - c)");
  CHECK(canon_expr("a / b / c") == "((a / b) / c)");
  CHECK(canon_expr("a - b + c") == "((a - b) + c)");
  CHECK(canon_expr("a || b || c") == "((a || b) || c)");
  CHECK(canon_expr("a OR b OR c") == "((a OR b) OR c)");
  CHECK(canon_expr("a AND b AND c") == "((a AND b) AND c)");
  CHECK(canon_expr("a - (b - c)") == "(a - (b - c))");
}

TEST_CASE("expressions: comparisons do not chain, parentheses make them legal") {
  CHECK(canon_expr("a < b < c").find("comparisons do not chain") != std::string::npos);
  CHECK(canon_expr("a = b IS NULL").find("comparisons do not chain") != std::string::npos);
  CHECK(canon_expr("a IN (1) = b").find("comparisons do not chain") != std::string::npos);
  CHECK(canon_expr("(a < b) < c") == "((a < b) < c)");
  CHECK(canon_expr("a = (b = c)") == "(a = (b = c))");
}

TEST_CASE("expressions: every comparison operator, != printed as <>") {
  CHECK(canon_expr("a = 1") == "(a = 1)");
  CHECK(canon_expr("a <> 1") == "(a <> 1)");
  CHECK(canon_expr("a != 1") == "(a <> 1)");
  CHECK(canon_expr("a < 1") == "(a < 1)");
  CHECK(canon_expr("a <= 1") == "(a <= 1)");
  CHECK(canon_expr("a > 1") == "(a > 1)");
  CHECK(canon_expr("a >= 1") == "(a >= 1)");
  CHECK(canon_expr("a IS NULL") == "(a IS NULL)");
  CHECK(canon_expr("a is not null") == "(a IS NOT NULL)");
  CHECK(canon_expr("a NOT IN (1, 2)") == "(a NOT IN (1, 2))");
  CHECK(canon_expr("a NOT BETWEEN 1 AND 2") == "(a NOT BETWEEN 1 AND 2)");
  CHECK(canon_expr("a NOT LIKE '%x'") == "(a NOT LIKE '%x')");
}

TEST_CASE("expressions: a minus before a number is part of the literal, other signs are nodes") {
  CHECK(canon_expr("-5") == "-5");
  CHECK(canon_expr("- 5") == "-5");
  CHECK(canon_expr("-(5)") == "-5");
  CHECK(canon_expr("-1.50") == "-1.50");
  CHECK(canon_expr("-2e3") == "-2e3");
  CHECK(canon_expr("- -5") == "(- -5)");
  CHECK(canon_expr("+5") == "(+ 5)");
  CHECK(canon_expr("-+5") == "(- (+ 5))");
  CHECK(canon_expr("-a") == "(- a)");
  CHECK(canon_expr("a - -5") == "(a - -5)");
  CHECK(canon_expr("a--5") == "a");  // "--" starts a comment
  CHECK(canon_expr("-9223372036854775808") == "-9223372036854775808");
  auto e = parse_expr("-  42");
  REQUIRE(e);
  const auto& lit = std::get<literal>(e->node);
  CHECK(lit.kind == literal_kind::integer);
  CHECK(lit.text == "-42");
  CHECK(e->pos.column == 8);  // at the minus sign
}

TEST_CASE("expressions: literals keep their kind and exact text") {
  auto kind_and_text = [](const char* sql) {
    auto e = parse_expr(sql);
    REQUIRE(e);
    const auto& lit = std::get<literal>(e->node);
    return std::make_pair(lit.kind, lit.text);
  };
  CHECK(kind_and_text("42") == std::make_pair(literal_kind::integer, std::string("42")));
  CHECK(kind_and_text("1.50") == std::make_pair(literal_kind::exact_numeric, std::string("1.50")));
  CHECK(kind_and_text("2.5e-3") ==
        std::make_pair(literal_kind::float_number, std::string("2.5e-3")));
  CHECK(kind_and_text("'it''s'") == std::make_pair(literal_kind::string, std::string("it's")));
  CHECK(kind_and_text("''") == std::make_pair(literal_kind::string, std::string()));
  CHECK(kind_and_text("TRUE") == std::make_pair(literal_kind::boolean, std::string("TRUE")));
  CHECK(kind_and_text("false") == std::make_pair(literal_kind::boolean, std::string("FALSE")));
  CHECK(kind_and_text("NULL").first == literal_kind::null);
  CHECK(kind_and_text("TIMESTAMP '2024-01-02 03:04:05'") ==
        std::make_pair(literal_kind::timestamp, std::string("2024-01-02 03:04:05")));
  CHECK(canon_expr("timestamp '2024-01-02'") == "TIMESTAMP '2024-01-02'");
  CHECK(canon_expr("'a''b'") == "'a''b'");
}

TEST_CASE("expressions: names fold to lower case unless quoted, t.a is qualified") {
  auto e = parse_expr("Orders.Total");
  REQUIRE(e);
  const auto& ref = std::get<column_ref>(e->node);
  CHECK(ref.table == "orders");
  CHECK(ref.column == "total");
  auto q = parse_expr("\"Order\".\"select\"");
  REQUIRE(q);
  CHECK(std::get<column_ref>(q->node).table == "Order");
  CHECK(std::get<column_ref>(q->node).column == "select");
  CHECK(canon_expr("\"Order\".\"select\"") == "\"Order\".\"select\"");
  CHECK(canon_expr("\"a\"\"b\"") == "\"a\"\"b\"");
  CHECK(canon_expr("\"plain\"") == "plain");
  // Non-reserved keywords are usable as names; the printout quotes every keyword anyway.
  CHECK(canon_expr("key + text") == "(\"key\" + \"text\")");
  CHECK(canon_expr("timestamp") == "\"timestamp\"");
}

TEST_CASE("expressions: placeholders number from $1") {
  auto e = parse_expr("$7");
  REQUIRE(e);
  CHECK(std::get<placeholder>(e->node).index == 7);
  CHECK(canon_expr("a = $1 AND b = $02") == "((a = $1) AND (b = $2))");
}

TEST_CASE("expressions: function calls, aggregates, COUNT(*) and COUNT(DISTINCT x)") {
  CHECK(canon_expr("COUNT(*)") == "count(*)");
  CHECK(canon_expr("count(DISTINCT a)") == "count(DISTINCT a)");
  CHECK(canon_expr("SUM(a * 2)") == "sum((a * 2))");
  CHECK(canon_expr("avg(a) + min(b) - max(c)") == "((avg(a) + min(b)) - max(c))");
  CHECK(canon_expr("COALESCE(a, b, 0)") == "coalesce(a, b, 0)");
  CHECK(canon_expr("NOW()") == "now()");
  CHECK(canon_expr("\"My Func\"(1)") == "\"My Func\"(1)");
  CHECK(canon_expr("text(1)") == "\"text\"(1)");
  auto e = parse_expr("count(*)");
  REQUIRE(e);
  const auto& call = std::get<function_call>(e->node);
  CHECK(call.star);
  CHECK(call.args.empty());
  CHECK(canon_expr("sum(*)").find("only COUNT accepts *") != std::string::npos);
}

TEST_CASE("expressions: CASE in both forms, CAST, and parentheses that add no node") {
  CHECK(canon_expr("CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN 'y' ELSE 'z' END") ==
        "CASE WHEN (a > 1) THEN 'x' WHEN (a < 0) THEN 'y' ELSE 'z' END");
  CHECK(canon_expr("case a when 1 then 2 end") == "CASE a WHEN 1 THEN 2 END");
  CHECK(canon_expr("CAST(a + 1 AS DECIMAL(10, 2))") == "CAST((a + 1) AS DECIMAL(10,2))");
  CHECK(canon_expr("CAST(a AS varchar(5))") == "CAST(a AS VARCHAR(5))");
  CHECK(canon_expr("((((a))))") == "a");
  auto e = parse_expr("CASE x WHEN 1 THEN 2 END");
  REQUIRE(e);
  const auto& c = std::get<case_expr>(e->node);
  CHECK(c.operand != nullptr);
  CHECK(c.whens.size() == 1);
  CHECK(c.else_result == nullptr);
}

TEST_CASE("expressions: nodes point at their operator or first token, heights count levels") {
  //            1234567890123456789
  auto e = parse_expr("a +\n  b * (c - 1)");
  REQUIRE(e);
  const auto& add = std::get<binary_expr>(e->node);
  CHECK(add.op == binary_op::add);
  CHECK(e->pos.line == 1);
  CHECK(e->pos.column == 10);  // the '+' (the statement starts with "SELECT ")
  CHECK(add.left->pos.column == 8);
  const auto& mul = std::get<binary_expr>(add.right->node);
  CHECK(add.right->pos.line == 2);
  CHECK(add.right->pos.column == 5);  // the '*'
  CHECK(mul.right->pos.column == 10);  // the '-' inside the parentheses
  CHECK(e->height == 4);
  CHECK(add.left->height == 1);
  auto in = parse_expr("a IN (b + 1)");
  REQUIRE(in);
  CHECK(in->height == 4);  // IN counts its own parentheses: 2 + height of (b + 1)
}
