// Errors that point into SQL text: "line L, column C: <what>" followed by the offending line
// and a caret under the position. The parser uses it for every syntax error; the binder and
// planner use it too (with an AST node's source_pos), so every SQL error a user sees looks the
// same. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "sql_lite_parser/token.hpp"

namespace meridian::sql {

// Builds `code` with the message
//   line 1, column 17: expected an expression after '=', found end of input
//     SELECT * WHERE =
//                     ^
// `what` should read as one sentence without a trailing period. Lines longer than about 100
// columns are cut to a window around the position (marked with "...") and control characters
// print as spaces, so the caret always lines up.
// REQUIRES: pos.offset <= source.size() and pos came from tokenizing `source`.
error make_sql_error(errc code, std::string_view source, source_pos pos, std::string_view what);

// The "line L, column C" that pos.offset has in source, computed from scratch (for checks).
source_pos position_of_offset(std::string_view source, std::uint32_t offset);

}  // namespace meridian::sql
