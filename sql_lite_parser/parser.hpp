// The public entry points of the SQL parser: text in, syntax tree or error value out. Nothing
// throws and no input can crash or hang them (see parser_limits.hpp); the parser knows nothing
// of the catalog. Pure functions: call them from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::sql {

// Exactly one statement, optionally followed by ';'. Errors (codes sql_syntax,
// sql_unsupported, sql_nesting_too_deep, sql_statement_too_long, limit_exceeded) carry a
// message "line L, column C: ..." with the offending line and a caret (see sql_error.hpp).
// When error_pos is given and parsing fails, it receives where the problem is.
result<statement> parse_statement(std::string_view sql, source_pos* error_pos = nullptr);

// Any number of statements separated by ';' (empty statements are skipped, so "" and ";;"
// give an empty list). Stops at the first error; the statement length limit applies to each.
result<std::vector<statement>> parse_script(std::string_view sql, source_pos* error_pos = nullptr);

}  // namespace meridian::sql
