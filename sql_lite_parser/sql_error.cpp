// Formatting of position-carrying SQL errors (see sql_error.hpp). Only runs when something has
// already failed, so it favours clarity over speed. Pure functions.
#include "sql_lite_parser/sql_error.hpp"

#include "common/assert.hpp"

namespace meridian::sql {
namespace {

// Code points shown on each side of the caret before a long line is cut.
constexpr std::size_t excerpt_context_columns = 60;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Moves `offset` back past UTF-8 continuation bytes so it starts a code point.
std::size_t to_code_point_start(std::string_view s, std::size_t offset) {
  while (offset > 0 && offset < s.size() && is_continuation(static_cast<unsigned char>(s[offset])))
    --offset;
  return offset;
}

// Appends s[begin, end) with control characters as spaces, counting code points.
std::size_t append_visible(std::string& out, std::string_view s, std::size_t begin,
                           std::size_t end) {
  std::size_t columns = 0;
  for (std::size_t i = begin; i < end; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
    if (!is_continuation(c)) ++columns;
  }
  return columns;
}

// Start of the window: at most excerpt_context_columns code points before `offset`.
std::size_t window_begin(std::string_view s, std::size_t line_begin, std::size_t offset) {
  std::size_t begin = offset;
  std::size_t columns = 0;
  while (begin > line_begin && columns < excerpt_context_columns) {
    --begin;
    if (!is_continuation(static_cast<unsigned char>(s[begin]))) ++columns;
  }
  return to_code_point_start(s, begin);
}

std::size_t window_end(std::string_view s, std::size_t line_end, std::size_t offset) {
  std::size_t end = offset;
  std::size_t columns = 0;
  while (end < line_end && columns <= excerpt_context_columns) {
    if (!is_continuation(static_cast<unsigned char>(s[end]))) ++columns;
    ++end;
  }
  while (end < line_end && is_continuation(static_cast<unsigned char>(s[end]))) ++end;
  return end;
}

}  // namespace

error make_sql_error(errc code, std::string_view source, source_pos pos, std::string_view what) {
  MERIDIAN_ASSERT(pos.offset <= source.size(), "error position beyond the source text");
  std::size_t offset = pos.offset;
  std::size_t line_begin = offset;
  while (line_begin > 0 && source[line_begin - 1] != '\n') --line_begin;
  std::size_t line_end = source.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = source.size();
  if (line_end > line_begin && line_end > offset && source[line_end - 1] == '\r') --line_end;

  std::size_t begin = window_begin(source, line_begin, offset);
  std::size_t end = window_end(source, line_end, offset);
  std::string message = "line " + std::to_string(pos.line) + ", column " +
                        std::to_string(pos.column) + ": " + std::string(what) + "\n  ";
  std::size_t caret_columns = 0;
  if (begin > line_begin) {
    message += "...";
    caret_columns += 3;
  }
  caret_columns += append_visible(message, source, begin, offset);
  append_visible(message, source, offset, end);
  if (end < line_end) message += "...";
  message += "\n  ";
  message.append(caret_columns, ' ');
  message += '^';
  return error(code, std::move(message));
}

source_pos position_of_offset(std::string_view source, std::uint32_t offset) {
  source_pos pos;
  pos.offset = offset;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
    auto c = static_cast<unsigned char>(source[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if (!is_continuation(c)) {
      ++pos.column;
    }
  }
  return pos;
}

}  // namespace meridian::sql
