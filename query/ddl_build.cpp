// Turning CREATE TABLE and ADD COLUMN syntax into descriptors: column types and defaults
// (constants evaluated once and converted to the column type; now() and gen_id() kept as
// rules), the primary key (or a hidden generated row id), UNIQUE constraints as unique
// indexes, and the placement options leader_dc and home_dc_column.
#include <algorithm>
#include <set>

#include "query/ddl.hpp"
#include "query/expr_binder.hpp"
#include "query/query_limits.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

constexpr const char* hidden_row_id = "_rowid";

error at(const ddl_env& env, errc code, sql::source_pos pos, const std::string& what) {
  return sql::make_sql_error(code, env.source, pos, what);
}

bool is_call(const sql::expr& e, std::string_view name) {
  const auto* f = std::get_if<sql::function_call>(&e.node);
  return f != nullptr && f->name == name && f->args.empty() && !f->star && !f->distinct;
}

bool uses_volatile_function(const bound_expr& e) {
  if (e.kind == expr_kind::function &&
      (e.function == function_id::now || e.function == function_id::gen_id)) {
    return true;
  }
  return std::any_of(e.args.begin(), e.args.end(), uses_volatile_function);
}

status set_default(column_descriptor& c, const sql::expr& d, const ddl_env& env,
                   bool adding_to_existing, std::int64_t now_micros) {
  if (sql::is_generated_id(d)) {
    if (c.type.id != type_id::bigint) {
      return at(env, errc::sql_type_mismatch, d.pos, "gen_id() makes BIGINT ids, but column " +
                                                         c.name + " is " + c.type.to_string());
    }
    if (adding_to_existing) {
      return at(env, errc::sql_unsupported, d.pos,
                "ADD COLUMN with DEFAULT gen_id() is not supported: existing rows would need "
                "distinct ids");
    }
    c.default_rule = default_kind::gen_id;
    return ok_status();
  }
  if (is_call(d, "now")) {
    if (c.type.id != type_id::timestamp) {
      return at(env, errc::sql_type_mismatch, d.pos,
                "now() is a TIMESTAMP, but column " + c.name + " is " + c.type.to_string());
    }
    c.default_rule = default_kind::now;
    // Rows that exist before ADD COLUMN read the time of the ALTER.
    if (adding_to_existing) c.absent_value = timestamp_value{now_micros};
    return ok_status();
  }
  bind_context bctx{env.source, env.params};
  expr_binder b(bctx, nullptr);
  b.forbid_aggregates("DEFAULT");
  auto bound = b.bind_for_column(d, c);
  if (!bound) return bound.err();
  if (uses_volatile_function(*bound)) {
    return at(env, errc::sql_unsupported, d.pos,
              "DEFAULT must be a constant, now() or gen_id()");
  }
  auto v = evaluate(*bound, {}, eval_context{env.source});
  if (!v) return v.err();
  auto stored = store_value(*v, c.type, c.name);
  if (!stored) return at(env, stored.err().code(), d.pos, stored.err().message());
  if (is_null(*stored)) return ok_status();  // DEFAULT NULL is no default
  c.default_rule = default_kind::value;
  c.default_value = *stored;
  if (adding_to_existing) c.absent_value = std::move(*stored);
  return ok_status();
}

std::string option_text(const sql::expr& e) {
  if (const auto* l = std::get_if<sql::literal>(&e.node)) {
    if (l->kind == sql::literal_kind::string) return l->text;
  }
  if (const auto* c = std::get_if<sql::column_ref>(&e.node)) {
    if (c->table.empty()) return c->column;
  }
  return {};
}

result<std::vector<std::uint32_t>> resolve_columns(const table_descriptor& t,
                                                   const std::vector<sql::identifier>& names,
                                                   const ddl_env& env) {
  std::vector<std::uint32_t> ids;
  for (const auto& n : names) {
    int p = t.column_position(n.value);
    if (p < 0 || t.columns[p].hidden) {
      return at(env, errc::sql_unknown_column, n.pos,
                "column " + n.value + " of table " + t.name + " does not exist");
    }
    if (std::find(ids.begin(), ids.end(), t.columns[p].id) != ids.end()) {
      return at(env, errc::sql_syntax, n.pos, "column " + n.value + " is listed twice");
    }
    ids.push_back(t.columns[p].id);
  }
  return ids;
}

status add_unique_index(table_descriptor& t, std::vector<std::uint32_t> ids) {
  for (const auto& ix : t.indexes) {
    if (ix.unique && ix.column_ids == ids) return ok_status();  // declared twice
  }
  std::vector<std::string> names;
  for (auto id : ids) names.push_back(t.columns[t.position_of_id(id)].name);
  index_descriptor ix;
  ix.id = t.next_index_id++;
  ix.name = generated_index_name(t.name, names);
  ix.column_ids = std::move(ids);
  ix.unique = true;
  ix.state = index_state::public_;
  t.indexes.push_back(std::move(ix));
  return ok_status();
}

status set_primary_key(table_descriptor& t, const sql::create_table_stmt& s, const ddl_env& env) {
  std::vector<sql::identifier> names;
  for (const auto& c : s.columns) {
    if (c.primary_key) names.push_back(c.name);
  }
  for (const auto& k : s.constraints) {
    if (k.kind == sql::table_constraint_kind::primary_key) names = k.columns;
  }
  if (names.empty()) {
    column_descriptor row_id;
    row_id.id = t.next_column_id++;
    row_id.name = hidden_row_id;
    row_id.type = sql_type::bigint();
    row_id.nullable = false;
    row_id.default_rule = default_kind::gen_id;
    row_id.hidden = true;
    t.columns.push_back(std::move(row_id));
    t.primary_key.push_back(t.columns.back().id);
    return ok_status();
  }
  auto ids = resolve_columns(t, names, env);
  if (!ids) return ids.err();
  t.primary_key = std::move(*ids);
  for (auto id : t.primary_key) t.columns[t.position_of_id(id)].nullable = false;
  return ok_status();
}

}  // namespace

std::string generated_index_name(const std::string& table, const std::vector<std::string>& columns) {
  std::string name = table;
  for (const auto& c : columns) name += "_" + c;
  name += "_key";
  if (name.size() > sql::parse_limits::max_identifier_bytes) {
    name.resize(sql::parse_limits::max_identifier_bytes);
  }
  return name;
}

result<column_descriptor> build_column(const sql::column_def& def, const ddl_env& env,
                                       bool adding_to_existing, std::int64_t now_micros) {
  column_descriptor c;
  c.name = def.name.value;
  if (c.name == hidden_row_id) {
    return at(env, errc::sql_invalid_value, def.name.pos,
              std::string("column name ") + hidden_row_id + " is reserved for generated row ids");
  }
  c.type = sql_type::from_ast(def.type);
  c.nullable = def.null_rule != sql::nullability::not_null && !def.primary_key;
  if (def.default_value) {
    MERIDIAN_TRY(set_default(c, *def.default_value, env, adding_to_existing, now_micros));
  }
  return c;
}

result<table_descriptor> build_table(const sql::create_table_stmt& s, const ddl_env& env) {
  table_descriptor t;
  t.name = s.name.value;
  if (s.columns.size() > query_limits::max_columns) {
    return at(env, errc::limit_exceeded, s.name.pos,
              "a table has at most " + std::to_string(query_limits::max_columns) + " columns");
  }
  for (const auto& def : s.columns) {
    if (t.column_position(def.name.value) >= 0) {
      return at(env, errc::sql_syntax, def.name.pos,
                "column " + def.name.value + " is declared twice");
    }
    auto c = build_column(def, env, false, 0);
    if (!c) return c.err();
    c->id = t.next_column_id++;
    t.columns.push_back(std::move(*c));
  }
  MERIDIAN_TRY(set_primary_key(t, s, env));
  for (const auto& def : s.columns) {
    if (def.unique) MERIDIAN_TRY(add_unique_index(t, {t.columns[t.column_position(def.name.value)].id}));
  }
  for (const auto& k : s.constraints) {
    if (k.kind != sql::table_constraint_kind::unique) continue;
    auto ids = resolve_columns(t, k.columns, env);
    if (!ids) return ids.err();
    MERIDIAN_TRY(add_unique_index(t, std::move(*ids)));
  }
  // Repeated options first: they are a mistake in the statement, whatever their values.
  std::set<std::string> seen;
  for (const auto& o : s.options) {
    if (!seen.insert(o.name.value).second) {
      return at(env, errc::sql_syntax, o.name.pos, "option " + o.name.value + " is given twice");
    }
  }
  for (const auto& o : s.options) MERIDIAN_TRY(apply_option(t, o, env));
  return t;
}

status apply_option(table_descriptor& t, const sql::table_option& o, const ddl_env& env) {
  std::string value = option_text(*o.value);
  if (o.name.value == "leader_dc") {
    if (value.empty()) {
      return at(env, errc::sql_invalid_value, o.value->pos,
                "leader_dc takes a datacenter name in quotes, e.g. leader_dc = 'eu-west'");
    }
    t.placement.leader_dc = value;
  } else if (o.name.value == "home_dc_column") {
    int p = value.empty() ? -1 : t.column_position(value);
    if (p < 0 || t.columns[p].hidden) {
      return at(env, errc::sql_unknown_column, o.value->pos,
                "home_dc_column names no column of table " + t.name);
    }
    if (t.primary_key.empty() || t.primary_key[0] != t.columns[p].id) {
      return at(env, errc::sql_invalid_value, o.value->pos,
                "home_dc_column must be the first primary-key column (rows are placed by key "
                "prefix), and " + value + " is not");
    }
    if (!t.columns[p].type.is_text()) {
      // Rows are homed by the datacenter name their key starts with: only text can be one.
      return at(env, errc::sql_type_mismatch, o.value->pos,
                "home_dc_column must be a TEXT or VARCHAR column holding datacenter names, and " +
                    value + " is " + t.columns[p].type.to_string());
    }
    t.placement.home_dc_column = value;
  } else {
    return at(env, errc::sql_invalid_value, o.name.pos,
              "unknown table option " + o.name.value + " (known: leader_dc, home_dc_column)");
  }
  if (auto checked = env.placement->check(t.placement); !checked) {
    return at(env, checked.err().code(), o.value->pos, checked.err().message());
  }
  return ok_status();
}

}  // namespace meridian::query
