// Tokens of Meridian's SQL: what the tokenizer hands the parser. A token is a view into the
// caller's source text plus its position, so tokenizing allocates nothing; keywords are
// recognised here once, case-insensitively. Plain data, safe on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meridian::sql {

// Where something starts in the source text. `line` and `column` count from 1; `column` counts
// UTF-8 code points (a tab is one column), so a caret printed under the line lines up.
struct source_pos {
  std::uint32_t offset = 0;  // bytes from the start of the source text
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  friend bool operator==(source_pos a, source_pos b) {
    return a.offset == b.offset && a.line == b.line && a.column == b.column;
  }
};

// X(enumerator, spelling, reserved). Reserved words can never be bare names (they start or
// separate clauses, so "SELECT a FROM t WHERE ..." stays unambiguous); the others are keywords
// only where the grammar expects them, so tables may still have columns named `key`, `text` or
// `timestamp`. An enumerator that is a C++ keyword carries a trailing underscore.
#define MERIDIAN_SQL_KEYWORDS(X)                                                              \
  X(add, "ADD", false) X(all, "ALL", true) X(alter, "ALTER", true) X(and_, "AND", true)      \
  X(as, "AS", true) X(asc, "ASC", true) X(begin, "BEGIN", false)                            \
  X(between, "BETWEEN", true) X(bigint, "BIGINT", false) X(bool_, "BOOL", false)            \
  X(boolean, "BOOLEAN", false) X(by, "BY", true) X(case_, "CASE", true)                      \
  X(cast, "CAST", true) X(column, "COLUMN", false) X(commit, "COMMIT", false)               \
  X(conflict, "CONFLICT", false) X(create, "CREATE", true) X(cross, "CROSS", true)          \
  X(decimal, "DECIMAL", false) X(default_, "DEFAULT", true) X(delete_, "DELETE", true)       \
  X(desc, "DESC", true) X(describe, "DESCRIBE", false) X(distinct, "DISTINCT", true)        \
  X(do_, "DO", false) X(double_, "DOUBLE", false) X(drop, "DROP", true)                     \
  X(else_, "ELSE", true) X(end, "END", true) X(except, "EXCEPT", true)                      \
  X(exists, "EXISTS", true) X(explain, "EXPLAIN", false) X(false_, "FALSE", true)           \
  X(float_, "FLOAT", false) X(for_, "FOR", true) X(from, "FROM", true) X(full, "FULL", true) \
  X(group, "GROUP", true) X(having, "HAVING", true) X(if_, "IF", false) X(in, "IN", true)    \
  X(index, "INDEX", false) X(inner, "INNER", true) X(insert, "INSERT", true)                \
  X(int_, "INT", false) X(integer, "INTEGER", false) X(intersect, "INTERSECT", true)        \
  X(into, "INTO", true) X(is, "IS", true) X(join, "JOIN", true) X(key, "KEY", false)        \
  X(left, "LEFT", true) X(like, "LIKE", true) X(limit, "LIMIT", true)                       \
  X(not_, "NOT", true) X(nothing, "NOTHING", false) X(null, "NULL", true)                   \
  X(numeric, "NUMERIC", false) X(of, "OF", true) X(offset, "OFFSET", true) X(on, "ON", true) \
  X(or_, "OR", true) X(order, "ORDER", true) X(outer, "OUTER", true)                        \
  X(precision, "PRECISION", false) X(primary, "PRIMARY", true) X(real, "REAL", false)       \
  X(right, "RIGHT", true) X(rollback, "ROLLBACK", false) X(select, "SELECT", true)          \
  X(set, "SET", true) X(show, "SHOW", false) X(system, "SYSTEM", false)                     \
  X(table, "TABLE", true) X(tables, "TABLES", false) X(text, "TEXT", false)                 \
  X(then, "THEN", true) X(time, "TIME", false) X(timestamp, "TIMESTAMP", false)             \
  X(transaction, "TRANSACTION", false) X(true_, "TRUE", true) X(union_, "UNION", true)      \
  X(unique, "UNIQUE", true) X(update, "UPDATE", true) X(values, "VALUES", true)             \
  X(varchar, "VARCHAR", false) X(when, "WHEN", true) X(where, "WHERE", true)                \
  X(with, "WITH", true)

enum class keyword : std::uint8_t {
  none,
#define MERIDIAN_SQL_KEYWORD_ENUM(name, spelling, reserved) name,
  MERIDIAN_SQL_KEYWORDS(MERIDIAN_SQL_KEYWORD_ENUM)
#undef MERIDIAN_SQL_KEYWORD_ENUM
};

// The keyword spelled `word` in any case, or keyword::none.
keyword lookup_keyword(std::string_view word);
// Upper-case spelling, e.g. "SELECT"; "" for keyword::none.
std::string_view keyword_spelling(keyword kw);
bool is_reserved(keyword kw);

enum class token_kind : std::uint8_t {
  end_of_input,
  error,              // the tokenizer failed here; tokenizer::failure() says why
  word,               // a bare word: a keyword (token::kw set) or a name
  quoted_identifier,  // "Order" (text keeps the quotes and any doubled "")
  integer,            // 42
  exact_numeric,      // 1.5, .5, 5.
  float_number,       // 1e10, 2.5E-3
  string,             // 'it''s' (text keeps the quotes and doubled '')
  placeholder,        // $1
  comma,
  semicolon,
  dot,
  left_paren,
  right_paren,
  plus,
  minus,
  star,
  slash,
  percent,
  concat,  // ||
  equal,
  not_equal,  // <> or !=
  less,
  less_equal,
  greater,
  greater_equal,
};

struct token {
  token_kind kind = token_kind::end_of_input;
  keyword kw = keyword::none;  // set only for token_kind::word
  std::string_view text;       // exactly as written, a view into the source
  source_pos pos;
};

// How an error message names a token it found: "keyword WHERE", "identifier foo", "'='",
// "number 42", "string 'abc'", "end of input". Long texts are shortened.
std::string describe_found(const token& t);
// How an error message names the token something was expected after: "WHERE", "'='", "foo".
std::string describe_after(const token& t);
// A token's text (or a name taken from one) as an error message quotes it: shortened, and with
// control characters escaped so that the message's first line stays one line.
std::string shorten(std::string_view text);

}  // namespace meridian::sql
