// The tokenizer: every token class with its exact text and position, keyword recognition in
// any case, comments, and one clear error (with position) per kind of malformed input.
#include "sql_lite_parser/tokenizer.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "sql_lite_parser/parser_limits.hpp"

using namespace meridian;
using namespace meridian::sql;

namespace {

std::vector<token> tokens_of(std::string_view sql) {
  tokenizer t(sql);
  std::vector<token> out;
  for (;;) {
    token tok = t.next();
    out.push_back(tok);
    if (tok.kind == token_kind::end_of_input || tok.kind == token_kind::error) return out;
  }
}

struct tokenizer_failure {
  errc code;
  std::string message;
  source_pos pos;
};

tokenizer_failure failure_of(std::string_view sql) {
  tokenizer t(sql);
  for (int i = 0; i < 1000; ++i) {
    token tok = t.next();
    if (tok.kind == token_kind::error) {
      return {t.failure().code(), t.failure().message(), tok.pos};
    }
    if (tok.kind == token_kind::end_of_input) break;
  }
  return {errc::ok, "no error", {}};
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("tokenizer: every token class keeps its exact text and kind") {
  auto toks = tokens_of(
      "SELECT a1, \"Quo\"\"ted\" FROM t WHERE x >= 1.5e3 AND y <> 'it''s' || $12 != .5 "
      "<= < > = + - * / % ( ) . 5. 7");
  std::vector<std::pair<token_kind, std::string_view>> expected = {
      {token_kind::word, "SELECT"},          {token_kind::word, "a1"},
      {token_kind::comma, ","},              {token_kind::quoted_identifier, "\"Quo\"\"ted\""},
      {token_kind::word, "FROM"},            {token_kind::word, "t"},
      {token_kind::word, "WHERE"},           {token_kind::word, "x"},
      {token_kind::greater_equal, ">="},     {token_kind::float_number, "1.5e3"},
      {token_kind::word, "AND"},             {token_kind::word, "y"},
      {token_kind::not_equal, "<>"},         {token_kind::string, "'it''s'"},
      {token_kind::concat, "||"},            {token_kind::placeholder, "$12"},
      {token_kind::not_equal, "!="},         {token_kind::exact_numeric, ".5"},
      {token_kind::less_equal, "<="},        {token_kind::less, "<"},
      {token_kind::greater, ">"},            {token_kind::equal, "="},
      {token_kind::plus, "+"},               {token_kind::minus, "-"},
      {token_kind::star, "*"},               {token_kind::slash, "/"},
      {token_kind::percent, "%"},            {token_kind::left_paren, "("},
      {token_kind::right_paren, ")"},        {token_kind::dot, "."},
      {token_kind::exact_numeric, "5."},     {token_kind::integer, "7"},
      {token_kind::end_of_input, ""},
  };
  REQUIRE(toks.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(toks[i].kind == expected[i].first);
    CHECK(toks[i].text == expected[i].second);
  }
  CHECK(toks[0].kw == keyword::select);
  CHECK(toks[1].kw == keyword::none);
  CHECK(toks[10].kw == keyword::and_);
}

TEST_CASE("tokenizer: numbers are integer, exact or float by their spelling") {
  auto kind_of = [](std::string_view s) { return tokens_of(s)[0].kind; };
  CHECK(kind_of("42") == token_kind::integer);
  CHECK(kind_of("007") == token_kind::integer);
  CHECK(kind_of("1.50") == token_kind::exact_numeric);
  CHECK(kind_of(".5") == token_kind::exact_numeric);
  CHECK(kind_of("1e10") == token_kind::float_number);
  CHECK(kind_of("2.5E-3") == token_kind::float_number);
  CHECK(kind_of("1.e+5") == token_kind::float_number);
  CHECK(tokens_of("99999999999999999999999999999999")[0].text ==
        "99999999999999999999999999999999");
}

TEST_CASE("tokenizer: keywords are recognised in any case, names are not keywords") {
  CHECK(tokens_of("select")[0].kw == keyword::select);
  CHECK(tokens_of("SeLeCt")[0].kw == keyword::select);
  CHECK(tokens_of("transaction")[0].kw == keyword::transaction);
  CHECK(tokens_of("selects")[0].kw == keyword::none);
  CHECK(tokens_of("\"select\"")[0].kind == token_kind::quoted_identifier);
  CHECK(tokens_of("\"select\"")[0].kw == keyword::none);
  CHECK(is_reserved(keyword::select));
  CHECK(is_reserved(keyword::where));
  CHECK_FALSE(is_reserved(keyword::timestamp));
  CHECK_FALSE(is_reserved(keyword::key));
  CHECK(keyword_spelling(keyword::order) == "ORDER");
  CHECK(lookup_keyword("") == keyword::none);
  CHECK(lookup_keyword("averyveryverylongword") == keyword::none);
}

TEST_CASE("tokenizer: comments and whitespace are skipped, positions count lines and code points") {
  auto toks = tokens_of("-- first line\n  /* block\n comment */ SELECT\t'é' x -- tail");
  REQUIRE(toks.size() == 4);
  CHECK(toks[0].text == "SELECT");
  CHECK(toks[0].pos.line == 3);
  CHECK(toks[0].pos.column == 13);
  CHECK(toks[0].pos.offset == 37);
  CHECK(toks[1].text == "'é'");
  CHECK(toks[1].pos.column == 20);
  CHECK(toks[2].text == "x");
  CHECK(toks[2].pos.column == 24);  // 'é' takes three columns although four bytes
  // The end of input points just after the last token, not at the end of the trailing comment.
  CHECK(toks[3].kind == token_kind::end_of_input);
  CHECK(toks[3].pos.line == 3);
  CHECK(toks[3].pos.column == 25);
  CHECK(tokens_of("")[0].kind == token_kind::end_of_input);
  CHECK(tokens_of("  -- only a comment")[0].pos.column == 1);
}

TEST_CASE("tokenizer: strings and quoted names span lines and keep doubled quotes in text") {
  auto toks = tokens_of("'a\nb''c' \"x\ny\" z");
  CHECK(toks[0].kind == token_kind::string);
  CHECK(toks[0].text == "'a\nb''c'");
  CHECK(toks[1].pos.line == 2);
  CHECK(toks[1].pos.column == 7);
  CHECK(toks[2].pos.line == 3);
  CHECK(toks[2].pos.column == 4);
  CHECK(tokens_of("''")[0].kind == token_kind::string);  // the empty string is fine
}

TEST_CASE("tokenizer: each kind of malformed input has its own message and position") {
  struct row {
    const char* sql;
    errc code;
    unsigned column;
    const char* what;
  };
  const row rows[] = {
      {"SELECT 'abc", errc::sql_syntax, 8, "unterminated string"},
      {"SELECT \"abc", errc::sql_syntax, 8, "unterminated quoted name"},
      {"SELECT 1 /* note", errc::sql_syntax, 10, "unterminated comment"},
      {"SELECT 12abc", errc::sql_syntax, 8, "bad number '12abc': a number must not run into"},
      {"SELECT 1.2.3", errc::sql_syntax, 8, "bad number '1.2.3': a number has at most one"},
      {"SELECT 0x1F", errc::sql_syntax, 8, "bad number '0x1F'"},
      {"SELECT 1e", errc::sql_syntax, 8, "bad number '1e': an exponent needs digits"},
      {"SELECT 1e+", errc::sql_syntax, 8, "bad number '1e+': an exponent needs digits"},
      {"SELECT a @ b", errc::sql_syntax, 10, "unexpected character '@'"},
      {"SELECT `a`", errc::sql_syntax, 8, "quote names with double quotes"},
      {"SELECT a ! b", errc::sql_syntax, 10, "write '!=' or NOT"},
      {"SELECT a | b", errc::sql_syntax, 10, "concatenation is written '||'"},
      {"SELECT a == b", errc::sql_syntax, 10, "'==' is not SQL"},
      {"SELECT \x01", errc::sql_syntax, 8, "unexpected control character 0x01"},
      {"SELECT caf\xc3\xa9", errc::sql_syntax, 11, "unexpected character '\xc3\xa9' (U+00E9)"},
      {"SELECT \xff", errc::sql_syntax, 8, "unexpected byte 0xff (not UTF-8 text)"},
      {"SELECT $", errc::sql_syntax, 8, "'$' must be followed by a placeholder number"},
      {"SELECT $x", errc::sql_syntax, 8, "'$' must be followed by a placeholder number"},
      {"SELECT $1x", errc::sql_syntax, 8, "bad placeholder '$1x...'"},
      {"SELECT $0", errc::sql_syntax, 8, "placeholders are numbered from $1"},
      {"SELECT $65536", errc::limit_exceeded, 8, "placeholder $65536 exceeds the limit"},
      {"SELECT \"\"", errc::sql_syntax, 8, "a quoted name must not be empty"},
      {"SELECT 'a\xc3\x28'", errc::sql_syntax, 10, "byte 0xc3 is not UTF-8 text: a string"},
      {"SELECT '\xed\xa0\x80'", errc::sql_syntax, 9, "byte 0xed is not UTF-8"},  // a surrogate
      {"SELECT \"\xe2\x82\"", errc::sql_syntax, 9, "is not UTF-8 text: a quoted name"},
  };
  for (const row& r : rows) {
    CAPTURE(r.sql);
    auto f = failure_of(r.sql);
    CHECK(f.code == r.code);
    CHECK(f.pos.line == 1);
    CHECK(f.pos.column == r.column);
    CHECK(first_line(f.message).find(r.what) != std::string::npos);
    CHECK(first_line(f.message).rfind("line 1, column " + std::to_string(r.column) + ": ", 0) ==
          0);
  }
  CHECK(failure_of("SELECT $65535").code == errc::ok);
  auto nul = failure_of(std::string("SELECT 'a\0b'", 13));
  CHECK(nul.code == errc::sql_syntax);
  CHECK(nul.pos.column == 10);
  CHECK(first_line(nul.message).find("a NUL byte (0x00) cannot be part of a string") !=
        std::string::npos);
  CHECK(failure_of("SELECT 'caf\xc3\xa9 \xf0\x9f\x98\x80', \"\xe2\x82\xac\"").code == errc::ok);
}

TEST_CASE("tokenizer: names longer than the limit fail, keywords and the limit itself pass") {
  std::string at_limit(parse_limits::max_identifier_bytes, 'n');
  std::string over(parse_limits::max_identifier_bytes + 1, 'n');
  CHECK(failure_of(at_limit).code == errc::ok);
  CHECK(failure_of("\"" + at_limit + "\"").code == errc::ok);
  CHECK(failure_of("x " + over).code == errc::limit_exceeded);
  CHECK(failure_of("x " + over).pos.column == 3);
  CHECK(failure_of("\"" + over + "\"").code == errc::limit_exceeded);
  // A doubled quote is one byte of the name.
  std::string with_quote = "\"" + std::string(parse_limits::max_identifier_bytes - 1, 'q') +
                           "\"\"\"";
  CHECK(failure_of(with_quote).code == errc::ok);
}

TEST_CASE("tokenizer: after an error every later call returns the same error token") {
  tokenizer t("a 'open");
  CHECK(t.next().kind == token_kind::word);
  token first = t.next();
  REQUIRE(first.kind == token_kind::error);
  token again = t.next();
  CHECK(again.kind == token_kind::error);
  CHECK(again.pos == first.pos);
  CHECK(t.failure().code() == errc::sql_syntax);
}
