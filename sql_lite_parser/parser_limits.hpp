// The hard limits of the SQL front end, in one place with the reason for each value. The
// tokenizer and parser check them as input arrives, so hostile or runaway text fails with a clear
// error instead of exhausting the stack or memory. Compile-time constants; no state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/limits.hpp"

namespace meridian::sql::parse_limits {

// One statement's text, from its first token to its last (errc::sql_statement_too_long). A
// megabyte holds a bulk INSERT of thousands of rows, which is as much as one transaction should
// write anyway (a row is at most limits::max_value_bytes); anything longer is almost certainly a
// generated query gone wrong, and parsing it would cost memory for no benefit. A script may hold
// many such statements; the limit applies to each.
inline constexpr std::size_t max_statement_bytes = std::size_t{1} << 20;

// Nesting of expressions (errc::sql_nesting_too_deep), enforced twice with one number:
// - the parser's recursion (parentheses, function arguments, CASE, CAST, IN lists) stops here,
//   so deep input cannot overflow the stack. The deepest accepted statements need under
//   512 KiB of stack in an optimised build (about a dozen frames per level), under 1 MiB
//   unoptimised and about 3 MiB under AddressSanitizer; a test parses them on a 2 MiB thread.
//   Threads get 8 MiB by default on Linux.
// - every expression tree is at most this tall (expr::height), so the binder, the printer and
//   the evaluator may recurse over it freely. Long operator chains (a OR b OR ...) count too,
//   because they build tall trees without nesting any parentheses.
// 200 is far beyond what a person writes (an IN list is the way to test many values) and
// still cheap in stack; making it larger would only make hostile input more expensive.
inline constexpr int max_nesting_depth = 200;

// Placeholders $1..$N (errc::limit_exceeded). The binder keeps one slot per number up to the
// largest seen, so an unbounded $999999999 would make it allocate gigabytes; 65535 is also
// PostgreSQL's wire-protocol maximum number of parameters.
inline constexpr std::uint32_t max_placeholder_index = 65535;

// A name after case folding and unescaping (errc::limit_exceeded). Catalog keys embed table,
// column and index names; 128 bytes keeps any catalog key well below limits::max_key_bytes (400)
// and is twice PostgreSQL's 63.
inline constexpr std::size_t max_identifier_bytes = 128;
static_assert(max_identifier_bytes * 2 < limits::max_key_bytes);

// VARCHAR(n): a value longer than a whole row could never be stored.
inline constexpr std::int64_t max_varchar_length =
    static_cast<std::int64_t>(limits::max_value_bytes);

}  // namespace meridian::sql::parse_limits
