// Results render as aligned tables with numbers on the right, NULL spelled out, and a footer
// with rows, time and round trips.
#include "shell/table_format.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace meridian;

TEST_CASE("table format: alignment, NULL and the footer") {
  api::statement_result r;
  r.columns = {{"id", "BIGINT"}, {"name", "TEXT"}, {"price", "DECIMAL(10,2)"}};
  r.rows.push_back({datum{std::int64_t{1}}, datum{std::string("ünï")}, datum{decimal(1999, 2)}});
  r.rows.push_back({datum{std::int64_t{42}}, datum{null_value{}}, datum{decimal(5, 2)}});
  r.elapsed_ms = 1.25;
  r.ledger.tso_round_trips = 1;
  r.ledger.read_round_trips = 1;
  std::string text = shell::format_result(r);
  CHECK(text ==
        " id | name | price\n"
        "----+------+------\n"
        "  1 | ünï  | 19.99\n"
        " 42 | NULL |  0.05\n"
        "(2 rows, 1.2 ms, round trips: 2 (tso 1, reads 1, prewrite 0, commit 0))\n");
}

TEST_CASE("table format: statements without rows print their tag") {
  api::statement_result r;
  r.tag = "INSERT 3";
  shell::format_options o;
  o.show_timing = false;
  CHECK(shell::format_result(r, o) == "INSERT 3\n");
  CHECK(shell::format_value(datum{timestamp_value{0}}) == "1970-01-01 00:00:00");
  CHECK(shell::format_value(datum{2.5}) == "2.5");
  CHECK(shell::format_value(datum{true}) == "true");
}

TEST_CASE("table format: a DOUBLE shows the shortest text that reads back as the same value") {
  // Two different values never print alike (PostgreSQL 12's extra_float_digits rule).
  CHECK(shell::format_value(datum{1.0000000000000002}) == "1.0000000000000002");
  CHECK(shell::format_value(datum{1.0}) == "1");
  CHECK(shell::format_value(datum{1e15 + 1}) == "1000000000000001");
  CHECK(shell::format_value(datum{0.1 + 0.2}) == "0.30000000000000004");
  CHECK(shell::format_value(datum{0.1}) == "0.1");
  CHECK(shell::format_value(datum{-std::numeric_limits<double>::infinity()}) == "-Infinity");
  CHECK(shell::format_value(datum{std::numeric_limits<double>::quiet_NaN()}) == "NaN");
}

TEST_CASE("table format: control characters print as escapes; long headers are cut") {
  // A stored ESC once reached the terminal (it could clear the screen or recolor it), and a
  // newline broke the table's rows.
  api::statement_result r;
  r.columns = {{"v\x1b", "TEXT"}, {std::string(300, 'h'), "TEXT"}};
  r.rows.push_back({datum{std::string("a\nb\x1b[2J\a\x7f")}, datum{std::string("x")}});
  shell::format_options o;
  o.show_timing = false;
  std::string text = shell::format_result(r, o);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\a') == std::string::npos);
  CHECK(text.find("a\\nb\\x1b[2J\\x07\\x7f") != std::string::npos);
  CHECK(text.find(" v\\x1b ") != std::string::npos);
  CHECK(text.find(std::string(99, 'h') + "…") != std::string::npos);
  CHECK(text.find(std::string(100, 'h')) == std::string::npos);
  // C1 controls and bidirectional overrides act on terminals too; other text passes unchanged.
  api::statement_result c1;
  c1.columns = {{"v", "TEXT"}};
  c1.rows.push_back({datum{std::string("a\xc2\x9b" "2Jb\xe2\x80\xae" "c\xe2\x81\xa6" "d é €")}});
  std::string shown = shell::format_result(c1, o);
  CHECK(shown.find("a\\u009b2Jb\\u202ec\\u2066d é €") != std::string::npos);
}
