// The binder's type rules; see type_rules.hpp.
#include "query/type_rules.hpp"

#include <algorithm>

#include "common/decimal.hpp"

namespace meridian::query {
namespace {

int scale_of(const sql_type& t) { return t.id == type_id::decimal ? t.scale : 0; }

}  // namespace

std::optional<sql_type> arithmetic_type(sql::binary_op op, const sql_type& a, const sql_type& b) {
  bool a_ok = a.is_numeric() || a.is_null();
  bool b_ok = b.is_numeric() || b.is_null();
  if (!a_ok || !b_ok) return std::nullopt;
  if (a.id == type_id::double_ || b.id == type_id::double_) return sql_type::double_();
  if (a.id == type_id::decimal || b.id == type_id::decimal) {
    int sa = scale_of(a);
    int sb = scale_of(b);
    int scale = std::max(sa, sb);
    if (op == sql::binary_op::multiply) scale = sa + sb;
    if (op == sql::binary_op::divide) scale = std::max(sa, sb) + decimal::division_extra_scale;
    return sql_type::decimal(decimal::max_precision, std::min(scale, decimal::max_scale));
  }
  if (a.is_null() && b.is_null()) return sql_type::null();
  return sql_type::bigint();
}

bool comparable(const sql_type& a, const sql_type& b) {
  if (a.is_null() || b.is_null()) return true;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.is_text() && b.is_text()) return true;
  return a.id == b.id;
}

std::optional<sql_type> common_type(const sql_type& a, const sql_type& b) {
  if (a.is_null()) return b;
  if (b.is_null()) return a;
  if (a == b) return a;
  if (a.is_numeric() && b.is_numeric()) {
    if (a.id == type_id::double_ || b.id == type_id::double_) return sql_type::double_();
    if (a.id == type_id::decimal || b.id == type_id::decimal) {
      return sql_type::decimal(decimal::max_precision, std::max(scale_of(a), scale_of(b)));
    }
    return sql_type::bigint();
  }
  if (a.is_text() && b.is_text()) return sql_type::text();
  if (a.id == b.id) return a;
  return std::nullopt;
}

bool assignable(const sql_type& from, const sql_type& to) {
  if (from.is_null()) return true;
  switch (to.id) {
    case type_id::bigint: return from.id == type_id::bigint;
    case type_id::decimal: return from.id == type_id::bigint || from.id == type_id::decimal;
    case type_id::double_: return from.is_numeric();
    case type_id::text:
    case type_id::varchar: return from.is_text();
    case type_id::boolean: return from.id == type_id::boolean;
    case type_id::timestamp: return from.id == type_id::timestamp;
    case type_id::null: return false;
  }
  return false;
}

}  // namespace meridian::query
