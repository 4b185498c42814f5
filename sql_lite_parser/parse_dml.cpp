// SELECT, INSERT, UPDATE and DELETE. Clause order follows the grammar in GRAMMAR.md; features
// outside Meridian's subset that people commonly try (outer joins, subqueries, UNION,
// INSERT ... SELECT, ON CONFLICT DO UPDATE) fail with errc::sql_unsupported rather than a
// puzzling syntax error. Runs on the parser's thread.
#include "sql_lite_parser/parser_core.hpp"

namespace meridian::sql::detail {

status parser::parse_select(statement_node& out) {
  advance();  // SELECT
  auto& s = out.emplace<select_stmt>();
  s.distinct = accept(keyword::distinct);
  s.items.reserve(4);
  do {
    auto item = parse_select_item();
    if (!item.ok()) return item.err();
    s.items.push_back(std::move(*item));
  } while (accept(token_kind::comma));
  if (accept(keyword::from)) MERIDIAN_TRY(parse_from(s));
  if (accept(keyword::where)) {
    auto where = parse_expression();
    if (!where.ok()) return where.err();
    s.where = std::move(*where);
  }
  if (accept(keyword::group)) {
    MERIDIAN_TRY(expect(keyword::by));
    MERIDIAN_TRY(parse_expression_list(s.group_by));
  }
  if (accept(keyword::having)) {
    auto having = parse_expression();
    if (!having.ok()) return having.err();
    s.having = std::move(*having);
  }
  if (accept(keyword::order)) {
    MERIDIAN_TRY(expect(keyword::by));
    do {
      auto value = parse_expression();
      if (!value.ok()) return value.err();
      bool descending = accept(keyword::desc);
      if (!descending) accept(keyword::asc);
      s.order_by.push_back(order_item{std::move(*value), descending});
    } while (accept(token_kind::comma));
  }
  MERIDIAN_TRY(parse_select_tail(s));
  if (peek_is(keyword::union_) || peek_is(keyword::intersect) || peek_is(keyword::except)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "UNION, INTERSECT and EXCEPT are not supported");
  }
  return ok_status();
}

result<select_item> parser::parse_select_item() {
  select_item item;
  item.pos = peek().pos;
  if (accept(token_kind::star)) {
    item.kind = select_item_kind::star;
    return item;
  }
  if (peek_is_identifier() && peek_is(token_kind::dot, 1) && peek_is(token_kind::star, 2)) {
    token table = advance();
    advance();
    advance();
    item.kind = select_item_kind::table_star;
    item.table = identifier{identifier_value(table), table.pos};
    return item;
  }
  auto value = parse_expression();
  if (!value.ok()) return value.err();
  item.value = std::move(*value);
  MERIDIAN_TRY(parse_alias(item.alias));
  return item;
}

// [AS] alias, where AS OF SYSTEM TIME is not an alias.
status parser::parse_alias(std::optional<identifier>& alias) {
  if (peek_is(keyword::as) && !peek_is(keyword::of, 1)) {
    advance();
    auto name = expect_identifier("an alias");
    if (!name.ok()) return name.err();
    alias = std::move(*name);
  } else if (peek_is_identifier()) {
    token t = advance();
    alias = identifier{identifier_value(t), t.pos};
  }
  return ok_status();
}

result<table_ref> parser::parse_table_ref() {
  if (peek_is(token_kind::left_paren)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "subqueries and VALUES lists in FROM are not supported; name a table");
  }
  auto name = expect_identifier("a table name");
  if (!name.ok()) return name.err();
  if (peek_is(token_kind::dot)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "qualified table names (schema.table) are not supported");
  }
  table_ref ref;
  ref.table = std::move(*name);
  MERIDIAN_TRY(parse_alias(ref.alias));
  return ref;
}

status parser::parse_from(select_stmt& s) {
  auto first = parse_table_ref();
  if (!first.ok()) return first.err();
  s.from = std::move(*first);
  for (;;) {
    const token t = peek();
    if (t.kind == token_kind::comma) {
      return fail_at(t, errc::sql_unsupported,
                     "a comma between tables is not supported; write JOIN ... ON ...");
    }
    if (peek_is(keyword::left) || peek_is(keyword::right) || peek_is(keyword::full) ||
        peek_is(keyword::cross) || peek_is(keyword::outer)) {
      return fail_at(t, errc::sql_unsupported,
                     "outer and cross joins are not supported; write [INNER] JOIN ... ON ...");
    }
    join_clause join;
    join.pos = t.pos;
    if (accept(keyword::inner)) {
      MERIDIAN_TRY(expect(keyword::join));
    } else if (!accept(keyword::join)) {
      break;
    }
    auto table = parse_table_ref();
    if (!table.ok()) return table.err();
    join.table = std::move(*table);
    if (!accept(keyword::on)) return fail_expected(peek(), "ON and a join condition");
    auto on = parse_expression();
    if (!on.ok()) return on.err();
    join.on = std::move(*on);
    s.joins.push_back(std::move(join));
  }
  if (peek_is(keyword::as) && peek_is(keyword::of, 1)) return parse_as_of(s);
  return ok_status();
}

status parser::parse_as_of(select_stmt& s) {
  if (s.as_of_system_time) {
    return fail_at(peek(), errc::sql_syntax, "AS OF SYSTEM TIME appears twice in this SELECT");
  }
  advance();  // AS
  advance();  // OF
  MERIDIAN_TRY(expect(keyword::system));
  MERIDIAN_TRY(expect(keyword::time));
  auto when = parse_expression();
  if (!when.ok()) return when.err();
  s.as_of_system_time = std::move(*when);
  return ok_status();
}

// LIMIT, OFFSET, FOR UPDATE and AS OF SYSTEM TIME, each at most once, in any order.
status parser::parse_select_tail(select_stmt& s) {
  for (;;) {
    const token t = peek();
    if (peek_is(keyword::limit) || peek_is(keyword::offset)) {
      expr_ptr& slot = t.kw == keyword::limit ? s.limit : s.offset;
      if (slot) {
        return fail_at(t, errc::sql_syntax,
                       std::string(keyword_spelling(t.kw)) + " appears twice in this SELECT");
      }
      advance();
      auto value = parse_expression();
      if (!value.ok()) return value.err();
      slot = std::move(*value);
    } else if (peek_is(keyword::for_)) {
      if (s.for_update) return fail_at(t, errc::sql_syntax, "FOR UPDATE appears twice");
      advance();
      MERIDIAN_TRY(expect(keyword::update));
      s.for_update = true;
    } else if (peek_is(keyword::as) && peek_is(keyword::of, 1)) {
      MERIDIAN_TRY(parse_as_of(s));
    } else {
      return ok_status();
    }
  }
}

status parser::parse_expression_list(std::vector<expr_ptr>& out) {
  do {
    auto e = parse_expression();
    if (!e.ok()) return e.err();
    out.push_back(std::move(*e));
  } while (accept(token_kind::comma));
  return ok_status();
}

status parser::parse_insert(statement_node& out) {
  advance();  // INSERT
  MERIDIAN_TRY(expect(keyword::into));
  auto& s = out.emplace<insert_stmt>();
  auto table = expect_identifier("a table name");
  if (!table.ok()) return table.err();
  s.table = std::move(*table);
  if (peek_is(token_kind::left_paren)) {
    auto columns = parse_name_list("a column name");
    if (!columns.ok()) return columns.err();
    s.columns = std::move(*columns);
  }
  if (peek_is(keyword::select)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "INSERT ... SELECT is not supported; list the rows with VALUES");
  }
  MERIDIAN_TRY(expect(keyword::values));
  do {
    MERIDIAN_TRY(parse_values_row(s));
  } while (accept(token_kind::comma));
  if (accept(keyword::on)) MERIDIAN_TRY(parse_on_conflict(s));
  return ok_status();
}

status parser::parse_values_row(insert_stmt& s) {
  if (!peek_is(token_kind::left_paren)) {
    return fail_expected(peek(), "'(' and a row of values");
  }
  token open = advance();
  std::vector<expr_ptr> row;
  row.reserve(s.rows.empty() ? 4 : s.rows.front().size());
  MERIDIAN_TRY(parse_expression_list(row));
  if (!accept(token_kind::right_paren)) {
    return fail_unclosed("',' or ')'", "the row opened", open.pos);
  }
  if (!s.rows.empty() && row.size() != s.rows.front().size()) {
    return fail_at(open, errc::sql_syntax,
                   "this row has " + std::to_string(row.size()) + " values but the first has " +
                       std::to_string(s.rows.front().size()));
  }
  if (!s.columns.empty() && row.size() != s.columns.size()) {
    return fail_at(open, errc::sql_syntax,
                   "this row has " + std::to_string(row.size()) + " values for " +
                       std::to_string(s.columns.size()) + " columns");
  }
  s.rows.push_back(std::move(row));
  return ok_status();
}

status parser::parse_on_conflict(insert_stmt& s) {
  MERIDIAN_TRY(expect(keyword::conflict));
  if (peek_is(token_kind::left_paren)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "ON CONFLICT with columns is not supported; ON CONFLICT DO NOTHING covers "
                   "every unique key");
  }
  MERIDIAN_TRY(expect(keyword::do_));
  if (peek_is(keyword::update)) {
    return fail_at(peek(), errc::sql_unsupported, "ON CONFLICT DO UPDATE is not supported");
  }
  MERIDIAN_TRY(expect(keyword::nothing));
  s.on_conflict_do_nothing = true;
  return ok_status();
}

status parser::parse_update(statement_node& out) {
  advance();  // UPDATE
  auto& s = out.emplace<update_stmt>();
  auto table = expect_identifier("a table name");
  if (!table.ok()) return table.err();
  s.table = std::move(*table);
  MERIDIAN_TRY(expect(keyword::set));
  do {
    auto column = expect_identifier("a column name");
    if (!column.ok()) return column.err();
    MERIDIAN_TRY(expect(token_kind::equal, "'='"));
    auto value = parse_expression();
    if (!value.ok()) return value.err();
    s.assignments.push_back(assignment{std::move(*column), std::move(*value)});
  } while (accept(token_kind::comma));
  if (accept(keyword::where)) {
    auto where = parse_expression();
    if (!where.ok()) return where.err();
    s.where = std::move(*where);
  }
  return ok_status();
}

status parser::parse_delete(statement_node& out) {
  advance();  // DELETE
  MERIDIAN_TRY(expect(keyword::from));
  auto& s = out.emplace<delete_stmt>();
  auto table = expect_identifier("a table name");
  if (!table.ok()) return table.err();
  s.table = std::move(*table);
  if (accept(keyword::where)) {
    auto where = parse_expression();
    if (!where.ok()) return where.err();
    s.where = std::move(*where);
  }
  return ok_status();
}

}  // namespace meridian::sql::detail
