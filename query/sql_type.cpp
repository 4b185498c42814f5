// SQL type names and the value/type correspondence; see sql_type.hpp.
#include "query/sql_type.hpp"

namespace meridian::query {

sql_type sql_type::from_ast(const sql::type_name& t) {
  switch (t.kind) {
    case sql::type_kind::bigint: return bigint();
    case sql::type_kind::double_: return double_();
    case sql::type_kind::decimal: return decimal(t.precision, t.scale);
    case sql::type_kind::text: return text();
    case sql::type_kind::varchar: return varchar(t.length);
    case sql::type_kind::boolean: return boolean();
    case sql::type_kind::timestamp: return timestamp();
  }
  return null();
}

std::string sql_type::to_string() const {
  switch (id) {
    case type_id::null: return "NULL";
    case type_id::bigint: return "BIGINT";
    case type_id::double_: return "DOUBLE";
    case type_id::decimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case type_id::text: return "TEXT";
    case type_id::varchar: return "VARCHAR(" + std::to_string(length) + ")";
    case type_id::boolean: return "BOOL";
    case type_id::timestamp: return "TIMESTAMP";
  }
  return "?";
}

std::optional<sql_type> type_of_value(const datum& value) {
  switch (value.index()) {
    case 0: return sql_type::null();
    case 1: return sql_type::boolean();
    case 2: return sql_type::bigint();
    case 4: return sql_type::double_();
    case 5: return sql_type::decimal(decimal::max_precision, std::get<decimal>(value).scale());
    case 6: return sql_type::timestamp();
    case 7: return sql_type::text();
    default: return std::nullopt;
  }
}

bool value_has_type(const datum& value, const sql_type& type) {
  if (std::holds_alternative<null_value>(value)) return true;
  switch (type.id) {
    case type_id::null: return false;
    case type_id::bigint: return std::holds_alternative<std::int64_t>(value);
    case type_id::double_: return std::holds_alternative<double>(value);
    case type_id::decimal: return std::holds_alternative<decimal>(value);
    case type_id::text:
    case type_id::varchar: return std::holds_alternative<std::string>(value);
    case type_id::boolean: return std::holds_alternative<bool>(value);
    case type_id::timestamp: return std::holds_alternative<timestamp_value>(value);
  }
  return false;
}

}  // namespace meridian::query
