// The binder's type rules: which operand types an operator accepts and what it yields, which
// types compare, the common type of CASE/COALESCE/IN branches, and which values may be stored
// into a column without an explicit CAST. value_ops.hpp applies the same rules at run time.
// Implicit conversions are only the safe ones: BIGINT -> DECIMAL -> DOUBLE, TEXT <-> VARCHAR,
// and NULL to anything (string constants become TIMESTAMP in the binder, where they are
// parsed once). Pure functions.
#pragma once

#include <optional>

#include "query/sql_type.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

// The result type of a op b for + - * / %; nullopt when the operands are not numbers (or NULL).
// BIGINT op BIGINT -> BIGINT; with DECIMAL -> DECIMAL(38, s) where s is the exact result scale
// (max of the scales for + - %, their sum for *, max + 6 for /, capped at 38); with DOUBLE ->
// DOUBLE.
std::optional<sql_type> arithmetic_type(sql::binary_op op, const sql_type& a, const sql_type& b);

// True when a and b may be compared (= < IN BETWEEN ...): both numbers, both text, both BOOL,
// both TIMESTAMP, or either NULL.
bool comparable(const sql_type& a, const sql_type& b);

// The type both may be converted to (CASE branches, COALESCE arguments); nullopt if none.
std::optional<sql_type> common_type(const sql_type& a, const sql_type& b);

// True when a value of type `from` may be stored in a column of type `to` (INSERT, UPDATE,
// DEFAULT): the same family, or BIGINT/DECIMAL into DECIMAL or DOUBLE, or NULL.
bool assignable(const sql_type& from, const sql_type& to);

}  // namespace meridian::query
