// The statement splitter; see statement_splitter.hpp.
#include "shell/statement_splitter.hpp"

namespace meridian::shell {
namespace {

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// True when the text holds something other than whitespace and comments.
bool has_content(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      i = s.find('\n', i);
      if (i == std::string::npos) return false;
    } else if (s.compare(i, 2, "/*") == 0) {
      i = s.find("*/", i + 2);
      if (i == std::string::npos) return false;
      i += 2;
    } else {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> statement_splitter::feed(const std::string& line) {
  std::vector<std::string> done;
  if (!buffer_.empty()) buffer_.push_back('\n');
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    char next = i + 1 < line.size() ? line[i + 1] : '\0';
    switch (state_) {
      case state::normal:
        if (c == ';') {
          std::string statement = trim(buffer_);
          buffer_.clear();
          if (has_content(statement)) done.push_back(statement);
          continue;
        }
        if (c == '\'') state_ = state::single_quote;
        if (c == '"') state_ = state::double_quote;
        if (c == '-' && next == '-') state_ = state::line_comment;
        if (c == '/' && next == '*') {
          state_ = state::block_comment;
          buffer_.push_back(c);
          c = next;
          ++i;
        }
        break;
      case state::single_quote:
        if (c == '\'') state_ = state::normal;  // '' re-enters at once: an escaped quote
        break;
      case state::double_quote:
        if (c == '"') state_ = state::normal;
        break;
      case state::line_comment:
        break;
      case state::block_comment:
        if (c == '*' && next == '/') {
          state_ = state::normal;
          buffer_.push_back(c);
          c = next;
          ++i;
        }
        break;
    }
    buffer_.push_back(c);
  }
  if (state_ == state::line_comment) state_ = state::normal;  // a comment ends with its line
  if (state_ == state::normal && !has_content(buffer_)) buffer_.clear();
  return done;
}

bool statement_splitter::pending() const { return !buffer_.empty(); }

std::string statement_splitter::flush() {
  // A comment still open at the end of input swallowed what followed it: hand it on, so that
  // the parser reports it (unterminated comment) instead of the text vanishing.
  bool open_comment = state_ == state::block_comment;
  std::string rest = has_content(buffer_) || open_comment ? trim(buffer_) : std::string();
  clear();
  return rest;
}

void statement_splitter::clear() {
  buffer_.clear();
  state_ = state::normal;
}

namespace {

// The text from the first non-blank character, when that character is '\'.
std::optional<std::string> backslash_text(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '\\') return std::nullopt;
  std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<std::string> statement_splitter::meta_line(const std::string& line) const {
  if (state_ != state::normal) return std::nullopt;
  return backslash_text(line);
}

std::optional<std::string> statement_splitter::take_trailing_meta() {
  if (state_ != state::normal) return std::nullopt;
  auto meta = backslash_text(buffer_);
  if (meta) clear();
  return meta;
}

}  // namespace meridian::shell
