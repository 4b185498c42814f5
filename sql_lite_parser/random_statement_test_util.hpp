// Random valid statements for the parser's randomized tests (header only, test support),
// built from random_sql's expressions: every statement kind of the subset, clauses present or
// not, optional words (AS, INNER, COLUMN, TRANSACTION, ASC) present or not, with the loose
// token spelling and the canonical text the printer must produce. Single-threaded.
#pragma once

#include "sql_lite_parser/random_sql_test_util.hpp"

namespace meridian::sql::testing {

class random_statement {
 public:
  explicit random_statement(random_sql& sql) : sql_(sql) {}

  sql_piece statement(bool allow_explain = true) {
    switch (sql_.uniform(0, 15)) {
      case 0:
      case 1:
      case 2:
      case 3: return select();
      case 4: return insert();
      case 5: return update();
      case 6: return delete_();
      case 7:
      case 8: return create_table();
      case 9: return create_index();
      case 10: return alter();
      case 11: return drop();
      case 12: return allow_explain ? explain() : select();
      default: return small();
    }
  }

 private:
  void word(sql_piece& p, std::string_view keyword, std::string_view canon_text) {
    p.tokens.push_back(sql_.kw(keyword));
    p.canon += canon_text;
  }
  void token(sql_piece& p, const std::string& text, std::string_view canon_text) {
    p.tokens.push_back(text);
    p.canon += canon_text;
  }
  void piece(sql_piece& p, const sql_piece& part) {
    p.tokens.insert(p.tokens.end(), part.tokens.begin(), part.tokens.end());
    p.canon += part.canon;
  }
  void name(sql_piece& p) {
    auto [loose, canon] = sql_.name();
    token(p, loose, canon);
  }
  void expr(sql_piece& p, int depth = 3) { piece(p, sql_.expression(depth)); }
  // [AS] alias: printed " AS alias".
  void alias(sql_piece& p) {
    if (sql_.chance(60)) return;
    if (sql_.chance(60)) p.tokens.push_back(sql_.kw("AS"));
    p.canon += " AS ";
    name(p);
  }
  void name_list(sql_piece& p, int count) {
    token(p, "(", "(");
    for (int i = 0; i < count; ++i) {
      if (i > 0) token(p, ",", ", ");
      name(p);
    }
    token(p, ")", ")");
  }
  void table_ref(sql_piece& p) {
    name(p);
    alias(p);
  }
  void as_of(sql_piece& p) {
    word(p, "AS", " AS ");
    word(p, "OF", "OF ");
    word(p, "SYSTEM", "SYSTEM ");
    word(p, "TIME", "TIME ");
    token(p, "'-10s'", "'-10s'");
  }

  void select_item(sql_piece& p) {
    int kind = sql_.uniform(0, 9);
    if (kind == 0) return token(p, "*", "*");
    if (kind == 1) {
      name(p);
      token(p, ".", ".");
      return token(p, "*", "*");
    }
    expr(p);
    alias(p);
  }

  sql_piece select();
  void select_tail(sql_piece& p, bool as_of_early);
  void order_by(sql_piece& p);
  sql_piece insert();
  sql_piece update();
  sql_piece delete_();
  void column_def(sql_piece& p, bool& primary_key_used);
  sql_piece create_table();
  sql_piece create_index();
  sql_piece alter();
  sql_piece drop();
  sql_piece explain();
  sql_piece small();

  random_sql& sql_;
};

inline sql_piece random_statement::select() {
  sql_piece p;
  word(p, "SELECT", "SELECT ");
  if (sql_.chance(15)) word(p, "DISTINCT", "DISTINCT ");
  int items = sql_.uniform(1, 3);
  for (int i = 0; i < items; ++i) {
    if (i > 0) token(p, ",", ", ");
    select_item(p);
  }
  bool has_from = sql_.chance(80);
  bool as_of_early = false;
  if (has_from) {
    word(p, "FROM", " FROM ");
    table_ref(p);
    int joins = sql_.uniform(0, 2);
    for (int i = 0; i < joins; ++i) {
      if (sql_.chance(50)) p.tokens.push_back(sql_.kw("INNER"));
      word(p, "JOIN", " INNER JOIN ");
      table_ref(p);
      word(p, "ON", " ON ");
      expr(p);
    }
    as_of_early = sql_.chance(10);
  }
  select_tail(p, as_of_early);
  return p;
}

// WHERE ... AS OF SYSTEM TIME. The canonical order is fixed; the loose order of LIMIT/OFFSET
// and of FOR UPDATE / AS OF varies, and AS OF may come right after FROM, so the loose tokens
// of those clauses are built apart and spliced in.
inline void random_statement::select_tail(sql_piece& p, bool as_of_early) {
  sql_piece as_of_clause;
  bool has_as_of = as_of_early || sql_.chance(10);
  if (has_as_of) as_of(as_of_clause);
  if (as_of_early) {
    p.tokens.insert(p.tokens.end(), as_of_clause.tokens.begin(), as_of_clause.tokens.end());
  }
  if (sql_.chance(50)) {
    word(p, "WHERE", " WHERE ");
    expr(p, 4);
  }
  if (sql_.chance(20)) {
    word(p, "GROUP", " GROUP ");
    word(p, "BY", "BY ");
    expr(p, 2);
    if (sql_.chance(50)) {
      token(p, ",", ", ");
      expr(p, 2);
    }
    if (sql_.chance(50)) {
      word(p, "HAVING", " HAVING ");
      expr(p);
    }
  }
  if (sql_.chance(30)) order_by(p);
  sql_piece limit, offset, for_update;
  bool has_limit = sql_.chance(30);
  bool has_offset = sql_.chance(15);
  bool has_for_update = sql_.chance(10);
  if (has_limit) {
    word(limit, "LIMIT", " LIMIT ");
    expr(limit, 1);
  }
  if (has_offset) {
    word(offset, "OFFSET", " OFFSET ");
    expr(offset, 1);
  }
  if (has_for_update) {
    word(for_update, "FOR", " FOR ");
    word(for_update, "UPDATE", "UPDATE");
  }
  p.canon += limit.canon + offset.canon + for_update.canon + as_of_clause.canon;
  std::vector<const sql_piece*> tail = {&limit, &offset};
  if (sql_.chance(50)) std::swap(tail[0], tail[1]);
  tail.push_back(&for_update);
  if (!as_of_early) tail.insert(tail.begin() + 2 + sql_.uniform(0, 1), &as_of_clause);
  for (const sql_piece* clause : tail) {
    p.tokens.insert(p.tokens.end(), clause->tokens.begin(), clause->tokens.end());
  }
}

inline void random_statement::order_by(sql_piece& p) {
  word(p, "ORDER", " ORDER ");
  word(p, "BY", "BY ");
  int items = sql_.uniform(1, 2);
  for (int i = 0; i < items; ++i) {
    if (i > 0) token(p, ",", ", ");
    expr(p, 2);
    int direction = sql_.uniform(0, 2);
    if (direction == 1) word(p, "DESC", " DESC");
    if (direction == 2) p.tokens.push_back(sql_.kw("ASC"));
  }
}

inline sql_piece random_statement::insert() {
  sql_piece p;
  word(p, "INSERT", "INSERT ");
  word(p, "INTO", "INTO ");
  name(p);
  int width = sql_.uniform(1, 3);
  if (sql_.chance(60)) {
    p.canon += " ";
    name_list(p, width);
  }
  word(p, "VALUES", " VALUES ");
  int rows = sql_.uniform(1, 3);
  for (int r = 0; r < rows; ++r) {
    if (r > 0) token(p, ",", ", ");
    token(p, "(", "(");
    for (int i = 0; i < width; ++i) {
      if (i > 0) token(p, ",", ", ");
      expr(p, 2);
    }
    token(p, ")", ")");
  }
  if (sql_.chance(30)) {
    word(p, "ON", " ON ");
    word(p, "CONFLICT", "CONFLICT ");
    word(p, "DO", "DO ");
    word(p, "NOTHING", "NOTHING");
  }
  return p;
}

inline sql_piece random_statement::update() {
  sql_piece p;
  word(p, "UPDATE", "UPDATE ");
  name(p);
  word(p, "SET", " SET ");
  int assignments = sql_.uniform(1, 3);
  for (int i = 0; i < assignments; ++i) {
    if (i > 0) token(p, ",", ", ");
    name(p);
    token(p, "=", " = ");
    expr(p);
  }
  if (sql_.chance(70)) {
    word(p, "WHERE", " WHERE ");
    expr(p);
  }
  return p;
}

inline sql_piece random_statement::delete_() {
  sql_piece p;
  word(p, "DELETE", "DELETE ");
  word(p, "FROM", "FROM ");
  name(p);
  if (sql_.chance(70)) {
    word(p, "WHERE", " WHERE ");
    expr(p);
  }
  return p;
}

// name type [NOT NULL | NULL] [DEFAULT e] [PRIMARY KEY] [UNIQUE], constraints in any loose
// order and in the printer's order canonically.
inline void random_statement::column_def(sql_piece& p, bool& primary_key_used) {
  name(p);
  auto [type_tokens, type_canon] = sql_.type();
  p.tokens.insert(p.tokens.end(), type_tokens.begin(), type_tokens.end());
  p.canon += " " + type_canon;
  std::vector<sql_piece> parts(4);
  int null_rule = sql_.uniform(0, 2);  // none, NOT NULL, NULL
  bool primary_key = !primary_key_used && null_rule != 2 && sql_.chance(20);
  primary_key_used = primary_key_used || primary_key;
  if (null_rule == 1) {
    word(parts[0], "NOT", " NOT ");
    word(parts[0], "NULL", "NULL");
  }
  if (null_rule == 2) word(parts[0], "NULL", " NULL");
  if (sql_.chance(30)) {
    word(parts[1], "DEFAULT", " DEFAULT ");
    expr(parts[1], 2);
  }
  if (primary_key) {
    word(parts[2], "PRIMARY", " PRIMARY ");
    word(parts[2], "KEY", "KEY");
  }
  if (sql_.chance(15)) word(parts[3], "UNIQUE", " UNIQUE");
  for (const sql_piece& part : parts) p.canon += part.canon;
  for (int i = 3; i > 0; --i) {
    auto other = static_cast<std::size_t>(sql_.uniform(0, i));
    std::swap(parts[static_cast<std::size_t>(i)], parts[other]);
  }
  for (const sql_piece& part : parts) {
    p.tokens.insert(p.tokens.end(), part.tokens.begin(), part.tokens.end());
  }
}

inline sql_piece random_statement::create_table() {
  sql_piece p;
  word(p, "CREATE", "CREATE ");
  word(p, "TABLE", "TABLE ");
  if (sql_.chance(30)) {
    word(p, "IF", "IF ");
    word(p, "NOT", "NOT ");
    word(p, "EXISTS", "EXISTS ");
  }
  name(p);
  token(p, "(", " (");
  bool primary_key_used = false;
  int columns = sql_.uniform(1, 3);
  for (int i = 0; i < columns; ++i) {
    if (i > 0) token(p, ",", ", ");
    column_def(p, primary_key_used);
  }
  if (!primary_key_used && sql_.chance(30)) {
    token(p, ",", ", ");
    word(p, "PRIMARY", "PRIMARY ");
    word(p, "KEY", "KEY ");
    name_list(p, sql_.uniform(1, 2));
  }
  if (sql_.chance(20)) {
    token(p, ",", ", ");
    word(p, "UNIQUE", "UNIQUE ");
    name_list(p, sql_.uniform(1, 2));
  }
  token(p, ")", ")");
  if (sql_.chance(40)) {
    word(p, "WITH", " WITH ");
    token(p, "(", "(");
    int options = sql_.uniform(1, 2);
    for (int i = 0; i < options; ++i) {
      if (i > 0) token(p, ",", ", ");
      name(p);
      token(p, "=", " = ");
      expr(p, 1);
    }
    token(p, ")", ")");
  }
  return p;
}

inline sql_piece random_statement::create_index() {
  sql_piece p;
  word(p, "CREATE", "CREATE ");
  if (sql_.chance(40)) word(p, "UNIQUE", "UNIQUE ");
  word(p, "INDEX", "INDEX ");
  if (sql_.chance(30)) {
    word(p, "IF", "IF ");
    word(p, "NOT", "NOT ");
    word(p, "EXISTS", "EXISTS ");
  }
  name(p);
  word(p, "ON", " ON ");
  name(p);
  p.canon += " ";
  name_list(p, sql_.uniform(1, 3));
  return p;
}

inline sql_piece random_statement::alter() {
  sql_piece p;
  word(p, "ALTER", "ALTER ");
  word(p, "TABLE", "TABLE ");
  name(p);
  if (sql_.chance(50)) {
    word(p, "ADD", " ADD ");
    if (sql_.chance(50)) p.tokens.push_back(sql_.kw("COLUMN"));
    p.canon += "COLUMN ";
    bool primary_key_used = false;
    column_def(p, primary_key_used);
  } else {
    word(p, "SET", " SET ");
    name(p);
    token(p, "=", " = ");
    expr(p, 1);
  }
  return p;
}

inline sql_piece random_statement::drop() {
  sql_piece p;
  word(p, "DROP", "DROP ");
  if (sql_.chance(50)) {
    word(p, "TABLE", "TABLE ");
  } else {
    word(p, "INDEX", "INDEX ");
  }
  if (sql_.chance(40)) {
    word(p, "IF", "IF ");
    word(p, "EXISTS", "EXISTS ");
  }
  name(p);
  return p;
}

inline sql_piece random_statement::explain() {
  sql_piece p;
  word(p, "EXPLAIN", "EXPLAIN ");
  piece(p, statement(false));
  return p;
}

inline sql_piece random_statement::small() {
  sql_piece p;
  switch (sql_.uniform(0, 4)) {
    case 0:
      word(p, "BEGIN", "BEGIN");
      if (sql_.chance(50)) p.tokens.push_back(sql_.kw("TRANSACTION"));
      return p;
    case 1:
      word(p, "COMMIT", "COMMIT");
      if (sql_.chance(30)) p.tokens.push_back(sql_.kw("TRANSACTION"));
      return p;
    case 2: word(p, "ROLLBACK", "ROLLBACK"); return p;
    case 3:
      word(p, "SHOW", "SHOW ");
      word(p, "TABLES", "TABLES");
      return p;
    default: word(p, "DESCRIBE", "DESCRIBE "); name(p); return p;
  }
}

}  // namespace meridian::sql::testing
