// The canonical printer for statements (see to_string in ast.hpp); expressions and types are
// printed by ast_printer.cpp. Clauses print in grammar order with single spaces, aliases always
// with AS and sort order only when DESC. Pure functions, any thread.
#include <variant>

#include "sql_lite_parser/ast.hpp"

namespace meridian::sql {
namespace detail {
void print_expr(std::string& out, const expr& e);
void print_type(std::string& out, const type_name& t);
}  // namespace detail

namespace {

using detail::print_expr;
using detail::print_type;

void print_names(std::string& out, const std::vector<identifier>& names) {
  out += '(';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote_identifier(names[i].value);
  }
  out += ')';
}

void print_exprs(std::string& out, const std::vector<expr_ptr>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    print_expr(out, *items[i]);
  }
}

void print_clause(std::string& out, std::string_view keyword, const expr_ptr& e) {
  if (!e) return;
  out += keyword;
  print_expr(out, *e);
}

void print_table_ref(std::string& out, const table_ref& t) {
  out += quote_identifier(t.table.value);
  if (t.alias) out += " AS " + quote_identifier(t.alias->value);
}

void print_column(std::string& out, const column_def& c) {
  out += quote_identifier(c.name.value);
  out += ' ';
  print_type(out, c.type);
  if (c.null_rule == nullability::not_null) out += " NOT NULL";
  if (c.null_rule == nullability::nullable) out += " NULL";
  print_clause(out, " DEFAULT ", c.default_value);
  if (c.primary_key) out += " PRIMARY KEY";
  if (c.unique) out += " UNIQUE";
}

void print_option(std::string& out, const table_option& o) {
  out += quote_identifier(o.name.value);
  out += " = ";
  print_expr(out, *o.value);
}

void print_select_item(std::string& out, const select_item& item) {
  switch (item.kind) {
    case select_item_kind::star: out += '*'; return;
    case select_item_kind::table_star: out += quote_identifier(item.table.value) + ".*"; return;
    case select_item_kind::expression:
      print_expr(out, *item.value);
      if (item.alias) out += " AS " + quote_identifier(item.alias->value);
      return;
  }
}

void print_select(std::string& out, const select_stmt& s) {
  out += s.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (std::size_t i = 0; i < s.items.size(); ++i) {
    if (i > 0) out += ", ";
    print_select_item(out, s.items[i]);
  }
  if (s.from) {
    out += " FROM ";
    print_table_ref(out, *s.from);
  }
  for (const join_clause& j : s.joins) {
    out += " INNER JOIN ";
    print_table_ref(out, j.table);
    print_clause(out, " ON ", j.on);
  }
  print_clause(out, " WHERE ", s.where);
  if (!s.group_by.empty()) {
    out += " GROUP BY ";
    print_exprs(out, s.group_by);
  }
  print_clause(out, " HAVING ", s.having);
  for (std::size_t i = 0; i < s.order_by.size(); ++i) {
    out += i == 0 ? " ORDER BY " : ", ";
    print_expr(out, *s.order_by[i].value);
    if (s.order_by[i].descending) out += " DESC";
  }
  print_clause(out, " LIMIT ", s.limit);
  print_clause(out, " OFFSET ", s.offset);
  if (s.for_update) out += " FOR UPDATE";
  print_clause(out, " AS OF SYSTEM TIME ", s.as_of_system_time);
}

void print_insert(std::string& out, const insert_stmt& s) {
  out += "INSERT INTO " + quote_identifier(s.table.value);
  if (!s.columns.empty()) {
    out += ' ';
    print_names(out, s.columns);
  }
  out += " VALUES ";
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    out += i == 0 ? "(" : ", (";
    print_exprs(out, s.rows[i]);
    out += ')';
  }
  if (s.on_conflict_do_nothing) out += " ON CONFLICT DO NOTHING";
}

void print_create_table(std::string& out, const create_table_stmt& s) {
  out += s.if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ";
  out += quote_identifier(s.name.value) + " (";
  for (std::size_t i = 0; i < s.columns.size(); ++i) {
    if (i > 0) out += ", ";
    print_column(out, s.columns[i]);
  }
  for (const table_constraint& c : s.constraints) {
    out += c.kind == table_constraint_kind::primary_key ? ", PRIMARY KEY " : ", UNIQUE ";
    print_names(out, c.columns);
  }
  out += ')';
  for (std::size_t i = 0; i < s.options.size(); ++i) {
    out += i == 0 ? " WITH (" : ", ";
    print_option(out, s.options[i]);
  }
  if (!s.options.empty()) out += ')';
}

struct statement_printer {
  std::string& out;

  void operator()(const select_stmt& s) const { print_select(out, s); }
  void operator()(const insert_stmt& s) const { print_insert(out, s); }
  void operator()(const update_stmt& s) const {
    out += "UPDATE " + quote_identifier(s.table.value) + " SET ";
    for (std::size_t i = 0; i < s.assignments.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_identifier(s.assignments[i].column.value) + " = ";
      print_expr(out, *s.assignments[i].value);
    }
    print_clause(out, " WHERE ", s.where);
  }
  void operator()(const delete_stmt& s) const {
    out += "DELETE FROM " + quote_identifier(s.table.value);
    print_clause(out, " WHERE ", s.where);
  }
  void operator()(const create_table_stmt& s) const { print_create_table(out, s); }
  void operator()(const create_index_stmt& s) const {
    out += s.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
    if (s.if_not_exists) out += "IF NOT EXISTS ";
    out += quote_identifier(s.name.value) + " ON " + quote_identifier(s.table.value) + " ";
    print_names(out, s.columns);
  }
  void operator()(const alter_table_stmt& s) const {
    out += "ALTER TABLE " + quote_identifier(s.table.value);
    if (s.action == alter_action::add_column) {
      out += " ADD COLUMN ";
      print_column(out, s.column);
    } else {
      out += " SET ";
      print_option(out, s.option);
    }
  }
  void operator()(const drop_table_stmt& s) const {
    out += s.if_exists ? "DROP TABLE IF EXISTS " : "DROP TABLE ";
    out += quote_identifier(s.name.value);
  }
  void operator()(const drop_index_stmt& s) const {
    out += s.if_exists ? "DROP INDEX IF EXISTS " : "DROP INDEX ";
    out += quote_identifier(s.name.value);
  }
  void operator()(const begin_stmt&) const { out += "BEGIN"; }
  void operator()(const commit_stmt&) const { out += "COMMIT"; }
  void operator()(const rollback_stmt&) const { out += "ROLLBACK"; }
  void operator()(const explain_stmt& s) const {
    out += "EXPLAIN ";
    std::visit(statement_printer{out}, s.inner->node);
  }
  void operator()(const show_tables_stmt&) const { out += "SHOW TABLES"; }
  void operator()(const describe_stmt& s) const {
    out += "DESCRIBE " + quote_identifier(s.table.value);
  }
};

}  // namespace

std::string to_string(const statement& s) {
  std::string out;
  out.reserve(64);
  std::visit(statement_printer{out}, s.node);
  return out;
}

}  // namespace meridian::sql
