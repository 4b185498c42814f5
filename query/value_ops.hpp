// Runtime operations on SQL values: arithmetic with overflow checks, comparison across numeric
// types, casts, the conversion of a value into a column's type on write, text rendering and
// LIKE. The binder has already checked the types (type_rules.hpp); these functions decide by
// the values' datum alternatives, so NULL handling and promotion (BIGINT -> DECIMAL -> DOUBLE)
// follow the same rules in both places. Errors carry no position: the evaluator adds it.
// Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/sql_type.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

inline bool is_null(const datum& d) { return std::holds_alternative<null_value>(d); }

// a op b for + - * / % on BIGINT, DECIMAL and DOUBLE values (NULL in, NULL out).
// BIGINT op BIGINT stays BIGINT (division truncates toward zero, as in PostgreSQL); DECIMAL
// with BIGINT or DECIMAL is exact DECIMAL; anything with DOUBLE is DOUBLE.
// Errors: sql_out_of_range (overflow, never wrapped), sql_division_by_zero.
result<datum> arithmetic(sql::binary_op op, const datum& a, const datum& b);
result<datum> negate(const datum& a);

// Three-way comparison of two non-NULL values of comparable types: numbers by value across
// BIGINT, DECIMAL and DOUBLE (NaN above everything), text bytewise, false < true, timestamps
// by time. REQUIRES: neither is NULL and the binder found the types comparable.
int compare_values(const datum& a, const datum& b);
// Sort order: NULL first, then compare_values.
int compare_for_sort(const datum& a, const datum& b);

// CAST(value AS target): numbers round half away from zero when they lose digits, text is
// parsed (sql_invalid_value when it does not parse), VARCHAR(n) truncates to n characters.
// Errors: sql_out_of_range, sql_invalid_value, sql_type_mismatch for a pair with no cast.
result<datum> cast_value(const datum& value, const sql_type& target);
// True when CAST(from AS to) exists.
bool castable(const sql_type& from, const sql_type& to);

// The value written into a column of type `column`: DECIMAL is rescaled to the column's scale
// (half away from zero) and must fit its precision (sql_out_of_range); VARCHAR(n) values
// longer than n characters fail with sql_invalid_value; BIGINT and DECIMAL widen to DOUBLE and
// BIGINT to DECIMAL. `column_name` is for messages.
result<datum> store_value(const datum& value, const sql_type& column,
                          std::string_view column_name);

// Text of a value as CAST(... AS TEXT) and || produce it.
std::string value_to_text(const datum& value);
// A value as a SQL literal: 'text' quoted, TIMESTAMP '...', NULL, numbers as written.
std::string sql_literal(const datum& value);
// Characters (UTF-8 code points) in `text`.
std::int64_t char_length(std::string_view text);

// SQL LIKE: % matches any run of characters, _ exactly one, \ escapes the next character;
// case-sensitive. A pattern ending in a lone \ is sql_invalid_value, as in PostgreSQL.
result<bool> like_match(std::string_view text, std::string_view pattern);

// round(x, digits) for DECIMAL (exact, half away from zero), DOUBLE and BIGINT values.
result<datum> round_value(const datum& value, std::int64_t digits);
result<datum> abs_value(const datum& value);

}  // namespace meridian::query
