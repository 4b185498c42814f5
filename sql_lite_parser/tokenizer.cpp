// The tokenizer's scanning rules (see tokenizer.hpp). Each scan_* function consumes one token
// whose first byte has already been classified; positions advance as bytes are consumed, so no
// token ever rescans the line to find its column. Runs on the parser's thread.
#include "sql_lite_parser/tokenizer.hpp"

#include <cstdio>

#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::sql {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// Decodes the UTF-8 sequence at s[0..]; returns its length, or 0 when it is not valid UTF-8.
std::size_t decode_utf8(std::string_view s, std::uint32_t& code_point) {
  auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t n = b0 >= 0xF0 && b0 < 0xF5 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 < 0xE0 ? 2 : 0;
  if (n == 0 || s.size() < n) return 0;
  code_point = b0 & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < smallest[n] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

void tokenizer::advance_one() {
  auto c = static_cast<unsigned char>(source_[offset_]);
  ++offset_;
  if (c == '\n') {
    ++line_;
    column_ = 1;
  } else if ((c & 0xC0) != 0x80) {
    ++column_;
  }
}

void tokenizer::fail(token& t, source_pos pos, errc code, std::string what) {
  failure_ = make_sql_error(code, source_, pos, what);
  failure_pos_ = pos;
  error_token(t);
}

void tokenizer::error_token(token& t) const {
  t.kind = token_kind::error;
  t.kw = keyword::none;
  t.pos = failure_pos_;
  t.text = source_.substr(failure_pos_.offset, 0);
}

bool tokenizer::skip_trivia() {
  while (!at_end()) {
    char c = source_[offset_];
    if (is_space(c)) {
      advance_one();
    } else if (c == '-' && peek_char(1) == '-') {
      while (!at_end() && source_[offset_] != '\n') advance_one();
    } else if (c == '/' && peek_char(1) == '*') {
      source_pos start = here();
      advance_ascii(2);
      while (!at_end() && !(source_[offset_] == '*' && peek_char(1) == '/')) advance_one();
      if (at_end()) {
        failure_ = make_sql_error(
            errc::sql_syntax, source_, start,
            "unterminated comment: the /* here has no closing */ before the end of input");
        failure_pos_ = start;
        return false;
      }
      advance_ascii(2);
    } else {
      return true;
    }
  }
  return true;
}

void tokenizer::next(token& t) {
  if (failure_ || !skip_trivia()) return error_token(t);
  t.kw = keyword::none;
  if (at_end()) {
    t.kind = token_kind::end_of_input;
    t.pos = end_pos_;
    t.text = source_.substr(end_pos_.offset, 0);
    return;
  }
  t.pos = here();
  char c = source_[offset_];
  if (is_alpha(c)) {
    scan_word(t);
  } else if (is_digit(c) || (c == '.' && is_digit(peek_char(1)))) {
    scan_number(t);
  } else if (c == '\'' || c == '"') {
    scan_quoted(t, c);
  } else if (c == '$') {
    scan_placeholder(t);
  } else {
    scan_operator(t);
  }
  if (t.kind != token_kind::error) end_pos_ = here();
}

void tokenizer::scan_word(token& t) {
  std::uint32_t start = offset_;
  while (!at_end() && is_alnum(source_[offset_])) advance_ascii(1);
  t.kind = token_kind::word;
  t.text = source_.substr(start, offset_ - start);
  t.kw = lookup_keyword(t.text);
  if (t.kw == keyword::none && t.text.size() > parse_limits::max_identifier_bytes) {
    return fail(t, t.pos, errc::limit_exceeded,
                "name of " + std::to_string(t.text.size()) + " bytes exceeds the limit of " +
                    std::to_string(parse_limits::max_identifier_bytes) + " bytes");
  }
}

// digits [. digits] [e [+-] digits], or . digits ...; a number may not run into letters, a
// second point or another number, which catches 12abc, 1.2.3 and 0x1F with one clear message.
void tokenizer::scan_number(token& t) {
  std::uint32_t start = offset_;
  t.kind = token_kind::integer;
  while (is_digit(peek_char())) advance_ascii(1);
  if (peek_char() == '.') {
    t.kind = token_kind::exact_numeric;
    advance_ascii(1);
    while (is_digit(peek_char())) advance_ascii(1);
  }
  if (peek_char() == 'e' || peek_char() == 'E') {
    std::uint32_t sign = (peek_char(1) == '+' || peek_char(1) == '-') ? 1 : 0;
    if (!is_digit(peek_char(1 + sign))) {
      advance_ascii(1 + sign);
      return fail(t, t.pos, errc::sql_syntax,
                  "bad number '" + std::string(source_.substr(start, offset_ - start)) +
                      "': an exponent needs digits, as in 1e10");
    }
    t.kind = token_kind::float_number;
    advance_ascii(1 + sign);
    while (is_digit(peek_char())) advance_ascii(1);
  }
  if (is_alnum(peek_char()) || peek_char() == '.') {
    bool extra_point = peek_char() == '.';
    while (is_alnum(peek_char()) || peek_char() == '.') advance_ascii(1);
    std::string text(source_.substr(start, offset_ - start));
    return fail(t, t.pos, errc::sql_syntax,
                "bad number '" + text +
                    (extra_point ? "': a number has at most one decimal point"
                                 : "': a number must not run into letters (put a space "
                                   "between a number and a name)"));
  }
  t.text = source_.substr(start, offset_ - start);
}

// 'text' or "name", a doubled quote standing for one. Both may span lines.
void tokenizer::scan_quoted(token& t, char quote) {
  std::uint32_t start = offset_;
  std::size_t doubled = 0;
  advance_ascii(1);
  for (;;) {
    if (at_end()) {
      return fail(t, t.pos, errc::sql_syntax,
                  quote == '\''
                      ? "unterminated string: the ' here has no closing ' before the end of input"
                      : "unterminated quoted name: the \" here has no closing \" before the end "
                        "of input");
    }
    if (source_[offset_] == quote) {
      advance_ascii(1);
      if (at_end() || source_[offset_] != quote) break;
      advance_ascii(1);
      ++doubled;
    } else if (source_[offset_] == '\0') {
      // PostgreSQL refuses NUL in text too; it would end the value in many clients.
      return fail(t, here(), errc::sql_syntax,
                  std::string("a NUL byte (0x00) cannot be part of ") +
                      (quote == '\'' ? "a string" : "a quoted name"));
    } else if (static_cast<unsigned char>(source_[offset_]) < 0x80) {
      advance_one();
    } else {
      // Text and names are UTF-8 (PostgreSQL: "invalid byte sequence for encoding UTF8").
      std::uint32_t code_point = 0;
      std::size_t n = decode_utf8(source_.substr(offset_), code_point);
      if (n == 0) {
        auto c = static_cast<unsigned char>(source_[offset_]);
        return fail(t, here(), errc::sql_syntax,
                    "byte " + hex_byte(c) + " is not UTF-8 text: " +
                        (quote == '\'' ? "a string" : "a quoted name") + " must be valid UTF-8");
      }
      for (std::size_t i = 0; i < n; ++i) advance_one();
    }
  }
  t.text = source_.substr(start, offset_ - start);
  if (quote == '\'') {
    t.kind = token_kind::string;
    return;
  }
  t.kind = token_kind::quoted_identifier;
  std::size_t name_bytes = t.text.size() - 2 - doubled;
  if (name_bytes == 0) {
    return fail(t, t.pos, errc::sql_syntax, "a quoted name must not be empty");
  }
  if (name_bytes > parse_limits::max_identifier_bytes) {
    return fail(t, t.pos, errc::limit_exceeded,
                "name of " + std::to_string(name_bytes) + " bytes exceeds the limit of " +
                    std::to_string(parse_limits::max_identifier_bytes) + " bytes");
  }
}

void tokenizer::scan_placeholder(token& t) {
  std::uint32_t start = offset_;
  advance_ascii(1);
  std::uint64_t value = 0;
  bool too_large = false;
  while (is_digit(peek_char())) {
    value = value * 10 + static_cast<std::uint64_t>(peek_char() - '0');
    if (value > parse_limits::max_placeholder_index) {
      too_large = true;  // keep scanning digits so the message shows the whole placeholder
      value = 0;
    }
    advance_ascii(1);
  }
  std::string_view text = source_.substr(start, offset_ - start);
  if (text.size() == 1) {
    return fail(t, t.pos, errc::sql_syntax,
                "'$' must be followed by a placeholder number, as in $1");
  }
  if (is_alnum(peek_char())) {
    return fail(t, t.pos, errc::sql_syntax,
                "bad placeholder '" + std::string(text) + peek_char() +
                    "...': a placeholder is '$' and digits only");
  }
  if (too_large) {
    return fail(t, t.pos, errc::limit_exceeded,
                "placeholder " + std::string(text) + " exceeds the limit of $" +
                    std::to_string(parse_limits::max_placeholder_index));
  }
  if (value == 0) {
    return fail(t, t.pos, errc::sql_syntax,
                "placeholder " + std::string(text) +
                    " is not valid: placeholders are numbered from $1");
  }
  t.kind = token_kind::placeholder;
  t.text = text;
}

void tokenizer::scan_operator(token& t) {
  char c = source_[offset_];
  char c1 = peek_char(1);
  std::uint32_t length = 1;
  switch (c) {
    case ',': t.kind = token_kind::comma; break;
    case ';': t.kind = token_kind::semicolon; break;
    case '.': t.kind = token_kind::dot; break;
    case '(': t.kind = token_kind::left_paren; break;
    case ')': t.kind = token_kind::right_paren; break;
    case '+': t.kind = token_kind::plus; break;
    case '-': t.kind = token_kind::minus; break;
    case '*': t.kind = token_kind::star; break;
    case '/': t.kind = token_kind::slash; break;
    case '%': t.kind = token_kind::percent; break;
    case '=':
      if (c1 == '=') {
        return fail(t, t.pos, errc::sql_syntax, "'==' is not SQL: compare with '='");
      }
      t.kind = token_kind::equal;
      break;
    case '<':
      t.kind = c1 == '=' ? token_kind::less_equal
               : c1 == '>' ? token_kind::not_equal
                           : token_kind::less;
      length = (c1 == '=' || c1 == '>') ? 2 : 1;
      break;
    case '>':
      t.kind = c1 == '=' ? token_kind::greater_equal : token_kind::greater;
      length = c1 == '=' ? 2 : 1;
      break;
    case '!':
      if (c1 != '=') {
        return fail(t, t.pos, errc::sql_syntax, "unexpected character '!': write '!=' or NOT");
      }
      t.kind = token_kind::not_equal;
      length = 2;
      break;
    case '|':
      if (c1 != '|') {
        return fail(t, t.pos, errc::sql_syntax,
                    "unexpected character '|': concatenation is written '||'");
      }
      t.kind = token_kind::concat;
      length = 2;
      break;
    default: return unexpected_character(t);
  }
  t.text = source_.substr(offset_, length);
  advance_ascii(length);
}

void tokenizer::unexpected_character(token& t) {
  auto c = static_cast<unsigned char>(source_[offset_]);
  if (c == '`') {
    return fail(t, t.pos, errc::sql_syntax,
                "unexpected character '`': quote names with double quotes, as in \"order\"");
  }
  if (c >= 0x21 && c < 0x7f) {
    return fail(t, t.pos, errc::sql_syntax,
                std::string("unexpected character '") + static_cast<char>(c) + "'");
  }
  if (c < 0x80) {
    return fail(t, t.pos, errc::sql_syntax, "unexpected control character " + hex_byte(c));
  }
  std::uint32_t code_point = 0;
  std::size_t n = decode_utf8(source_.substr(offset_), code_point);
  if (n == 0) {
    return fail(t, t.pos, errc::sql_syntax,
                "unexpected byte " + hex_byte(c) + " (not UTF-8 text)");
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(code_point));
  return fail(t, t.pos, errc::sql_syntax,
              "unexpected character '" + std::string(source_.substr(offset_, n)) + "' (" + buf +
                  "): names with such characters must be double-quoted, text single-quoted");
}

}  // namespace meridian::sql
