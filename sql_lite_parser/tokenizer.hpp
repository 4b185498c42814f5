// The hand-written tokenizer: turns SQL text into tokens one at a time, on demand, so a
// statement is tokenized without any allocation. It owns only its cursor into the caller's
// text (which must outlive it and every token it returns); one parser on one thread drives it.
#pragma once

#include <optional>
#include <string_view>

#include "common/error.hpp"
#include "sql_lite_parser/token.hpp"

namespace meridian::sql {

class tokenizer {
 public:
  // REQUIRES: source.size() < 2^32 (positions are 32-bit; the parser checks before).
  explicit tokenizer(std::string_view source) : source_(source) {}

  // The next token. Whitespace and comments (-- to end of line, /* ... */) are skipped. At the
  // end it returns end_of_input forever, positioned just after the last real token so that
  // "found end of input" points where something is missing. On malformed input (unterminated
  // string, quoted name or comment, bad number, unknown character, over-long name, placeholder
  // out of range) it returns a token of kind error, positioned at the problem, and keeps
  // returning it; failure() then holds the complete error.
  void next(token& out);
  token next() {
    token t;
    next(t);
    return t;
  }

  // REQUIRES: next() returned a token of kind error.
  const error& failure() const { return *failure_; }
  source_pos failure_pos() const { return failure_pos_; }

  std::string_view source() const { return source_; }

 private:
  source_pos here() const { return {offset_, line_, column_}; }
  char peek_char(std::size_t ahead = 0) const {
    return offset_ + ahead < source_.size() ? source_[offset_ + ahead] : '\0';
  }
  bool at_end() const { return offset_ >= source_.size(); }
  void advance_ascii(std::uint32_t n) {
    offset_ += n;
    column_ += n;
  }
  void advance_one();  // any byte, keeping line and column right

  bool skip_trivia();  // false when a comment is unterminated (failure_ is then set)
  // Each scans one token starting at t.pos (already set) into t; on malformed input they turn
  // t into an error token through fail(). Filling the caller's token in place, rather than
  // passing tokens by value, keeps the hot path free of copies.
  void scan_word(token& t);
  void scan_number(token& t);
  void scan_quoted(token& t, char quote);
  void scan_placeholder(token& t);
  void scan_operator(token& t);
  void unexpected_character(token& t);
  void fail(token& t, source_pos pos, errc code, std::string what);
  void error_token(token& t) const;

  std::string_view source_;
  std::uint32_t offset_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
  source_pos end_pos_;  // just after the last real token, where end_of_input points
  std::optional<error> failure_;
  source_pos failure_pos_;
};

}  // namespace meridian::sql
