// SQL types as the binder and the catalog see them, and which datum alternative carries each
// (BIGINT: int64, DOUBLE: double, DECIMAL: decimal, TEXT/VARCHAR: string, BOOL: bool,
// TIMESTAMP: timestamp_value, NULL: null_value). Plain values, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/datum.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

enum class type_id : std::uint8_t {
  null,  // the type of a bare NULL literal (or NULL parameter): converts to anything
  bigint,
  double_,
  decimal,
  text,
  varchar,
  boolean,
  timestamp,
};

struct sql_type {
  type_id id = type_id::null;
  int precision = 0;        // decimal: total digits (38 for computed values)
  int scale = 0;            // decimal: digits after the point
  std::int64_t length = 0;  // varchar: maximum characters

  static sql_type null() { return {}; }
  static sql_type bigint() { return {type_id::bigint}; }
  static sql_type double_() { return {type_id::double_}; }
  static sql_type decimal(int precision, int scale) {
    return {type_id::decimal, precision, scale, 0};
  }
  static sql_type text() { return {type_id::text}; }
  static sql_type varchar(std::int64_t length) { return {type_id::varchar, 0, 0, length}; }
  static sql_type boolean() { return {type_id::boolean}; }
  static sql_type timestamp() { return {type_id::timestamp}; }
  static sql_type from_ast(const sql::type_name& t);

  bool is_null() const { return id == type_id::null; }
  bool is_numeric() const {
    return id == type_id::bigint || id == type_id::double_ || id == type_id::decimal;
  }
  bool is_text() const { return id == type_id::text || id == type_id::varchar; }
  // "BIGINT", "DECIMAL(10,2)", "VARCHAR(20)", "NULL"...
  std::string to_string() const;

  friend bool operator==(const sql_type& a, const sql_type& b) {
    return a.id == b.id && a.precision == b.precision && a.scale == b.scale &&
           a.length == b.length;
  }
  friend bool operator!=(const sql_type& a, const sql_type& b) { return !(a == b); }
};

// The type a runtime value naturally has (DECIMAL values: DECIMAL(38, their scale)). Used for
// parameters, which are typed by the value the caller passes. Unsigned values and bytes have
// no SQL type: nullopt.
std::optional<sql_type> type_of_value(const datum& value);

// True when `value` is the datum alternative that carries `type` (or NULL).
bool value_has_type(const datum& value, const sql_type& type);

}  // namespace meridian::query
