// Randomized tests of the whole parser. Valid statements from a small grammar (random keyword
// case, whitespace, comments, optional words, minimal or redundant parentheses) must parse to
// the canonical text an independent model predicts; mutated ones (tokens deleted, inserted,
// swapped, text truncated, random bytes, deep nesting) must fail with a located error value or
// parse to something whose printout re-parses to itself. Set MERIDIAN_SEED to replay a run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "sql_lite_parser/parser.hpp"
#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/random_statement_test_util.hpp"
#include "sql_lite_parser/sql_error.hpp"

using namespace meridian;
using namespace meridian::sql;
using meridian::sql::testing::random_sql;
using meridian::sql::testing::random_statement;
using meridian::sql::testing::sql_piece;

namespace {

std::uint64_t test_seed() {
  if (const char* env = std::getenv("MERIDIAN_SEED")) return std::strtoull(env, nullptr, 10);
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ device();
}

// "" when every statement's printout parses to a statement with the same printout.
std::string round_trip_problem(const std::vector<statement>& statements) {
  for (const statement& s : statements) {
    std::string printed = to_string(s);
    auto again = parse_statement(printed);
    if (!again.ok()) {
      return "the printout does not parse: " + printed + "\n" + again.err().message();
    }
    std::string reprinted = to_string(*again);
    if (reprinted != printed) return "the printout changes: " + printed + "\nbecomes " + reprinted;
  }
  return "";
}

// "" when a failure is an error value the user can act on: an expected code, a position
// inside the input that agrees with the message, and a three-line message ending in a caret.
std::string error_problem(std::string_view text, const error& e, source_pos pos) {
  errc code = e.code();
  if (code != errc::sql_syntax && code != errc::sql_unsupported &&
      code != errc::sql_nesting_too_deep && code != errc::sql_statement_too_long &&
      code != errc::limit_exceeded) {
    return "unexpected error code " + e.to_string();
  }
  if (pos.offset > text.size()) return "error position beyond the input: " + e.message();
  if (!(position_of_offset(text, pos.offset) == pos)) {
    return "error position disagrees with its offset: " + e.message();
  }
  std::string prefix =
      "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": ";
  const std::string& m = e.message();
  if (m.rfind(prefix, 0) != 0) return "message does not start with " + prefix + ": " + m;
  if (std::count(m.begin(), m.end(), '\n') != 2 || m.back() != '^') {
    return "message lacks the excerpt and caret: " + m;
  }
  return "";
}

// Parses arbitrary text as a script and checks whichever outcome it has.
std::string outcome_problem(std::string_view text, bool& parsed) {
  source_pos pos;
  auto script = parse_script(text, &pos);
  parsed = script.ok();
  if (!script.ok()) return error_problem(text, script.err(), pos);
  return round_trip_problem(*script);
}

std::string mutate(random_sql& r, std::vector<std::string> tokens) {
  static const std::vector<std::string> vocabulary = {
      "SELECT", "FROM",  "WHERE", "(",      ")",       ",",      ";",         "*",
      "+",      "-",     "NOT",   "NULL",   "AND",     "OR",     "IN",        "BETWEEN",
      "LIKE",   "IS",    "AS",    "OF",     "CASE",    "WHEN",   "THEN",      "ELSE",
      "END",    "CAST",  "INT",   "DECIMAL", "'x'",    "\"q\"",  "$1",        "$0",
      "1.2.3",  "12abc", "@",     "`",      "'",       "\"",     "/*",        "--",
      "||",     "=",     "<>",    "!",      "|",       "JOIN",   "ON",        "LIMIT",
      "ORDER",  "BY",    "GROUP", "VALUES", "INSERT",  "TABLE",  "CREATE",    "PRIMARY",
      "KEY",    "DEFAULT", "EXPLAIN", "TIMESTAMP", ".", "1e",    "\xc3\xa9",  "$99999"};
  int rounds = r.chance(20) ? 2 : 1;
  for (int round = 0; round < rounds && !tokens.empty(); ++round) {
    auto at = static_cast<std::size_t>(r.uniform(0, static_cast<int>(tokens.size()) - 1));
    switch (r.uniform(0, 4)) {
      case 0: tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(at)); break;
      case 1:
        tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at), r.pick(vocabulary));
        break;
      case 2:
        if (at + 1 < tokens.size()) std::swap(tokens[at], tokens[at + 1]);
        break;
      case 3: tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at), tokens[at]); break;
      default: tokens[at] = r.pick(vocabulary); break;
    }
  }
  std::string text = r.join(tokens);
  if (r.chance(15) && !text.empty()) {
    text.resize(static_cast<std::size_t>(r.uniform(0, static_cast<int>(text.size()) - 1)));
  }
  if (r.chance(15)) {
    auto at = static_cast<std::size_t>(r.uniform(0, static_cast<int>(text.size())));
    std::string bytes;
    int count = r.uniform(1, 4);
    for (int i = 0; i < count; ++i) bytes += static_cast<char>(r.uniform(0, 255));
    text.insert(at, bytes);
  }
  return text;
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// A statement nested n levels deep in one of several ways, and whether it is within limits.
std::pair<std::string, bool> deep_statement(random_sql& r) {
  const int limit = parse_limits::max_nesting_depth;
  int n = r.chance(70) ? r.uniform(limit - 3, limit + 3) : r.uniform(1, 3000);
  bool fits = n + 1 <= limit;
  switch (r.uniform(0, 5)) {
    case 0: return {"SELECT " + repeat("(", n) + "1" + repeat(")", n), fits};
    case 1: return {"SELECT " + repeat("NOT ", n) + "a", fits};
    case 2: return {"SELECT " + repeat("- ", n) + "a", fits};
    case 3: return {"SELECT " + repeat("f(", n) + "1" + repeat(")", n), fits};
    case 4: return {"SELECT 1" + repeat(" + 1", n), fits};
    default: return {"SELECT " + repeat("CASE WHEN ", n) + "1" + repeat(" THEN 1 END", n), fits};
  }
}

}  // namespace

TEST_CASE("random statements: valid ones parse to the model's canonical text, stably") {
  std::uint64_t seed = test_seed();
  INFO("seed " << seed << "; replay with MERIDIAN_SEED=" << seed
               << " ./build/sql_lite_parser/sql_lite_parser_tests --test-case='random "
                  "statements: valid*'");
  random_sql sql(seed);
  random_statement statements(sql);
  int failures = 0;
  for (int i = 0; i < 20000 && failures < 5; ++i) {
    sql_piece p = statements.statement();
    std::string text = sql.join(p.tokens);
    auto st = parse_statement(text);
    std::string problem;
    if (!st.ok()) {
      problem = "a valid statement failed: " + st.err().message();
    } else if (to_string(*st) != p.canon) {
      problem = "printed " + to_string(*st) + "\nexpected " + p.canon;
    } else {
      std::vector<statement> one;
      one.push_back(std::move(*st));
      problem = round_trip_problem(one);
    }
    if (!problem.empty()) {
      ++failures;
      FAIL_CHECK("input: " << text << "\n" << problem);
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("random statements: scripts of several statements split where the model says") {
  std::uint64_t seed = test_seed();
  INFO("seed " << seed << "; replay with MERIDIAN_SEED=" << seed
               << " ./build/sql_lite_parser/sql_lite_parser_tests --test-case='random "
                  "statements: scripts*'");
  random_sql sql(seed);
  random_statement statements(sql);
  int failures = 0;
  for (int i = 0; i < 3000 && failures < 5; ++i) {
    std::vector<std::string> tokens;
    std::vector<std::string> expected;
    int count = sql.uniform(0, 4);
    for (int s = 0; s < count; ++s) {
      while (sql.chance(15)) tokens.push_back(";");
      sql_piece p = statements.statement();
      tokens.insert(tokens.end(), p.tokens.begin(), p.tokens.end());
      expected.push_back(p.canon);
      if (s + 1 < count || sql.chance(50)) tokens.push_back(";");
    }
    std::string text = sql.join(tokens);
    auto script = parse_script(text);
    std::vector<std::string> printed;
    if (script.ok()) {
      for (const statement& s : *script) printed.push_back(to_string(s));
    }
    if (!script.ok() || printed != expected) {
      ++failures;
      FAIL_CHECK("input: " << text << "\n"
                           << (script.ok() ? "split differently" : script.err().message()));
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("random statements: 100000 mutated and deep inputs fail cleanly or round-trip") {
  std::uint64_t seed = test_seed();
  INFO("seed " << seed << "; replay with MERIDIAN_SEED=" << seed
               << " ./build/sql_lite_parser/sql_lite_parser_tests --test-case='random "
                  "statements: 100000*'");
  random_sql sql(seed);
  random_statement statements(sql);
  int inputs = 0;
  int parsed = 0;
  int failures = 0;
  for (; inputs < 100000 && failures < 5; ++inputs) {
    std::string text;
    std::string problem;
    bool ok = false;
    if (sql.chance(3)) {
      auto [deep, fits] = deep_statement(sql);
      text = std::move(deep);
      source_pos pos;
      auto st = parse_script(text, &pos);
      ok = st.ok();
      if (fits != st.ok()) {
        problem = fits ? "a statement within the nesting limit failed: " + st.err().message()
                       : "a statement beyond the nesting limit parsed";
      } else if (!fits && st.err().code() != errc::sql_nesting_too_deep) {
        problem = "wrong code for deep nesting: " + st.err().to_string();
      } else {
        problem = st.ok() ? round_trip_problem(*st) : error_problem(text, st.err(), pos);
      }
    } else {
      text = mutate(sql, statements.statement().tokens);
      problem = outcome_problem(text, ok);
    }
    if (ok) ++parsed;
    if (!problem.empty()) {
      ++failures;
      FAIL_CHECK("input: " << text << "\n" << problem);
    }
  }
  CHECK(inputs == 100000);
  CHECK(failures == 0);
  // Mutations leave a fair share valid: both outcomes are exercised.
  CHECK(parsed > inputs / 20);
  CHECK(parsed < inputs - inputs / 20);
}
