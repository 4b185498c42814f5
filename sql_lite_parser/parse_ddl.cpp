// Types and the schema statements: CREATE TABLE / INDEX, ALTER TABLE, DROP TABLE / INDEX. The
// parser checks what the text alone decides (one PRIMARY KEY, no NULL with NOT NULL, DECIMAL
// precision within 38) and leaves names and option values to the binder. Runs on the parser's
// thread.
#include <charconv>

#include "common/decimal.hpp"
#include "sql_lite_parser/parser_core.hpp"
#include "sql_lite_parser/parser_limits.hpp"

namespace meridian::sql::detail {

result<type_name> parser::parse_type() {
  const token t = peek();
  type_name type;
  type.pos = t.pos;
  keyword kw = t.kind == token_kind::word ? t.kw : keyword::none;
  switch (kw) {
    case keyword::int_:
    case keyword::integer:
    case keyword::bigint: type.kind = type_kind::bigint; break;
    case keyword::double_:
    case keyword::float_:
    case keyword::real: type.kind = type_kind::double_; break;
    case keyword::decimal:
    case keyword::numeric: type.kind = type_kind::decimal; break;
    case keyword::text: type.kind = type_kind::text; break;
    case keyword::varchar: type.kind = type_kind::varchar; break;
    case keyword::bool_:
    case keyword::boolean: type.kind = type_kind::boolean; break;
    case keyword::timestamp: type.kind = type_kind::timestamp; break;
    default: {
      std::string name = t.kind == token_kind::word ? identifier_value(t) : "";
      bool serial = name == "serial" || name == "bigserial" || name == "smallserial";
      return fail_expected(t, "a type",
                           serial ? "Meridian has no counters: for a generated id write BIGINT "
                                    "DEFAULT gen_id()"
                                  : "one of BIGINT, INT, DOUBLE, DECIMAL(p,s), TEXT, VARCHAR(n), "
                                    "BOOLEAN, TIMESTAMP");
    }
  }
  advance();
  if (kw == keyword::double_) accept(keyword::precision);
  std::string_view spelling = keyword_spelling(kw);
  if (type.kind == type_kind::decimal) {
    if (!accept(token_kind::left_paren)) {
      return fail_expected(peek(), "'(' and a precision", "as in DECIMAL(12,2)");
    }
    auto precision = parse_type_parameter(spelling, "precision", 1, decimal::max_precision);
    if (!precision.ok()) return precision.err();
    type.precision = static_cast<int>(*precision);
    if (accept(token_kind::comma)) {
      auto scale = parse_type_parameter(spelling, "scale", 0, *precision);
      if (!scale.ok()) return scale.err();
      type.scale = static_cast<int>(*scale);
    }
    MERIDIAN_TRY(expect(token_kind::right_paren, "')'"));
  } else if (type.kind == type_kind::varchar) {
    if (!accept(token_kind::left_paren)) {
      return fail_expected(peek(), "'(' and a length", "as in VARCHAR(64); TEXT has no limit");
    }
    auto length =
        parse_type_parameter(spelling, "length", 1, parse_limits::max_varchar_length);
    if (!length.ok()) return length.err();
    type.length = *length;
    MERIDIAN_TRY(expect(token_kind::right_paren, "')'"));
  }
  return type;
}

result<std::int64_t> parser::parse_type_parameter(std::string_view type, std::string_view what,
                                                  std::int64_t low, std::int64_t high) {
  const token t = peek();
  if (t.kind != token_kind::integer) return fail_expected(t, "the " + std::string(what));
  advance();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
  if (ec != std::errc() || end != t.text.data() + t.text.size() || value < low || value > high) {
    return fail_at(t, errc::sql_syntax,
                   std::string(type) + " " + std::string(what) + " must be between " +
                       std::to_string(low) + " and " + std::to_string(high) + ", found " +
                       std::string(t.text));
  }
  return value;
}

bool parser::parse_if_not_exists() {
  if (!peek_is(keyword::if_) || !peek_is(keyword::not_, 1)) return false;
  advance();
  advance();
  return true;  // EXISTS is checked by the caller through expect()
}

bool parser::parse_if_exists() {
  if (!peek_is(keyword::if_) || !peek_is(keyword::exists, 1)) return false;
  advance();
  advance();
  return true;
}

status parser::parse_create(statement_node& out) {
  advance();  // CREATE
  if (accept(keyword::table)) return parse_create_table(out);
  bool unique = accept(keyword::unique);
  if (accept(keyword::index)) return parse_create_index(out, unique);
  return fail_expected(peek(), unique ? "INDEX" : "TABLE, INDEX or UNIQUE INDEX");
}

status parser::parse_create_table(statement_node& out) {
  auto& s = out.emplace<create_table_stmt>();
  if ((s.if_not_exists = parse_if_not_exists())) MERIDIAN_TRY(expect(keyword::exists));
  auto name = expect_identifier("a table name");
  if (!name.ok()) return name.err();
  s.name = std::move(*name);
  if (!peek_is(token_kind::left_paren)) {
    return fail_expected(peek(), "'(' and the column definitions");
  }
  token open = advance();
  std::optional<source_pos> primary_key;
  do {
    MERIDIAN_TRY(parse_table_element(s, primary_key));
  } while (accept(token_kind::comma));
  if (!accept(token_kind::right_paren)) {
    return fail_unclosed("',' or ')'", "the column list opened", open.pos);
  }
  if (s.columns.empty()) return fail_at(open, errc::sql_syntax, "a table needs a column");
  if (accept(keyword::with)) {
    MERIDIAN_TRY(expect(token_kind::left_paren, "'(' and table options"));
    do {
      auto option = parse_table_option();
      if (!option.ok()) return option.err();
      s.options.push_back(std::move(*option));
    } while (accept(token_kind::comma));
    MERIDIAN_TRY(expect(token_kind::right_paren, "',' or ')'"));
  }
  return ok_status();
}

status parser::parse_table_element(create_table_stmt& s, std::optional<source_pos>& primary_key) {
  const token t = peek();
  bool is_primary_key = peek_is(keyword::primary);
  if (is_primary_key || peek_is(keyword::unique)) {
    advance();
    if (is_primary_key) MERIDIAN_TRY(expect(keyword::key));
    auto columns = parse_name_list("a column name");
    if (!columns.ok()) return columns.err();
    s.constraints.push_back(table_constraint{is_primary_key ? table_constraint_kind::primary_key
                                                            : table_constraint_kind::unique,
                                             std::move(*columns), t.pos});
  } else {
    auto column = parse_column_def();
    if (!column.ok()) return column.err();
    is_primary_key = column->primary_key;
    s.columns.push_back(std::move(*column));
  }
  if (!is_primary_key) return ok_status();
  if (primary_key) {
    return fail_at(t, errc::sql_syntax,
                   "a table has only one PRIMARY KEY; the first is at " + where(*primary_key) +
                       " (for a key of several columns write PRIMARY KEY (a, b))");
  }
  primary_key = t.pos;
  return ok_status();
}

result<column_def> parser::parse_column_def() {
  column_def column;
  auto name = expect_identifier("a column name");
  if (!name.ok()) return name.err();
  column.name = std::move(*name);
  auto type = parse_type();
  if (!type.ok()) return type.err();
  column.type = std::move(*type);
  for (;;) {
    if (!peek_is(keyword::not_) && !peek_is(keyword::null) && !peek_is(keyword::default_) &&
        !peek_is(keyword::primary) && !peek_is(keyword::unique)) {
      break;
    }
    MERIDIAN_TRY(parse_column_constraint(column));
  }
  if (column.primary_key && column.null_rule == nullability::nullable) {
    return fail_at(column.name.pos, errc::sql_syntax,
                   "column " + column.name.value + " cannot be both NULL and PRIMARY KEY");
  }
  return column;
}

status parser::parse_column_constraint(column_def& column) {
  const token t = advance();
  auto twice = [&](std::string_view what) {
    return fail_at(t, errc::sql_syntax,
                   std::string(what) + " appears twice for column " + column.name.value);
  };
  switch (t.kw) {
    case keyword::not_:
    case keyword::null: {
      if (t.kw == keyword::not_) MERIDIAN_TRY(expect(keyword::null));
      auto rule = t.kw == keyword::not_ ? nullability::not_null : nullability::nullable;
      if (column.null_rule == rule) {
        return twice(rule == nullability::not_null ? "NOT NULL" : "NULL");
      }
      if (column.null_rule != nullability::unspecified) {
        return fail_at(t, errc::sql_syntax,
                       "column " + column.name.value + " cannot be both NULL and NOT NULL");
      }
      column.null_rule = rule;
      return ok_status();
    }
    case keyword::default_: {
      if (column.default_value) return twice("DEFAULT");
      auto value = parse_expression();
      if (!value.ok()) return value.err();
      column.default_value = std::move(*value);
      return ok_status();
    }
    case keyword::primary:
      MERIDIAN_TRY(expect(keyword::key));
      if (column.primary_key) return twice("PRIMARY KEY");
      column.primary_key = true;
      return ok_status();
    default:  // UNIQUE, the only other word parse_column_def hands over
      if (column.unique) return twice("UNIQUE");
      column.unique = true;
      return ok_status();
  }
}

result<table_option> parser::parse_table_option() {
  table_option option;
  auto name = expect_identifier("an option name");
  if (!name.ok()) return name.err();
  option.name = std::move(*name);
  MERIDIAN_TRY(expect(token_kind::equal, "'='"));
  auto value = parse_expression();
  if (!value.ok()) return value.err();
  option.value = std::move(*value);
  return option;
}

result<std::vector<identifier>> parser::parse_name_list(std::string_view what) {
  if (!peek_is(token_kind::left_paren)) {
    return fail_expected(peek(), "'(' and a list of names");
  }
  token open = advance();
  std::vector<identifier> names;
  do {
    auto name = expect_identifier(what);
    if (!name.ok()) return name.err();
    names.push_back(std::move(*name));
  } while (accept(token_kind::comma));
  if (!accept(token_kind::right_paren)) {
    return fail_unclosed("',' or ')'", "the list opened", open.pos);
  }
  return names;
}

status parser::parse_create_index(statement_node& out, bool unique) {
  auto& s = out.emplace<create_index_stmt>();
  s.unique = unique;
  if ((s.if_not_exists = parse_if_not_exists())) MERIDIAN_TRY(expect(keyword::exists));
  if (peek_is(keyword::on)) {
    return fail_at(peek(), errc::sql_syntax,
                   "an index needs a name: CREATE INDEX name ON table (columns)");
  }
  auto name = expect_identifier("an index name");
  if (!name.ok()) return name.err();
  s.name = std::move(*name);
  MERIDIAN_TRY(expect(keyword::on));
  auto table = expect_identifier("a table name");
  if (!table.ok()) return table.err();
  s.table = std::move(*table);
  auto columns = parse_name_list("a column name");
  if (!columns.ok()) return columns.err();
  s.columns = std::move(*columns);
  return ok_status();
}

status parser::parse_alter(statement_node& out) {
  advance();  // ALTER
  MERIDIAN_TRY(expect(keyword::table));
  auto& s = out.emplace<alter_table_stmt>();
  auto table = expect_identifier("a table name");
  if (!table.ok()) return table.err();
  s.table = std::move(*table);
  if (accept(keyword::add)) {
    accept(keyword::column);
    auto column = parse_column_def();
    if (!column.ok()) return column.err();
    s.action = alter_action::add_column;
    s.column = std::move(*column);
  } else if (accept(keyword::set)) {
    auto option = parse_table_option();
    if (!option.ok()) return option.err();
    s.action = alter_action::set_option;
    s.option = std::move(*option);
  } else {
    return fail_expected(peek(), "ADD COLUMN or SET");
  }
  return ok_status();
}

status parser::parse_drop(statement_node& out) {
  advance();  // DROP
  bool table = accept(keyword::table);
  if (!table && !accept(keyword::index)) return fail_expected(peek(), "TABLE or INDEX");
  bool if_exists = parse_if_exists();
  auto name = expect_identifier(table ? "a table name" : "an index name");
  if (!name.ok()) return name.err();
  if (table) {
    out = drop_table_stmt{std::move(*name), if_exists};
  } else {
    out = drop_index_stmt{std::move(*name), if_exists};
  }
  return ok_status();
}

}  // namespace meridian::sql::detail
