// The canonical printer behind to_string(): one visitor for expressions and one for statements,
// appending to a single string. Spacing and keyword case are fixed and every operator node is
// parenthesised, so the printout is a stable key for tests and EXPLAIN, and re-parses to the
// same tree. Pure functions, any thread.
#include <variant>

#include "sql_lite_parser/ast.hpp"

namespace meridian::sql {
namespace {

void print(std::string& out, const expr& e);
void print(std::string& out, const type_name& t);


void print_name(std::string& out, std::string_view name) { out += quote_identifier(name); }

template <class T, class F>
void print_list(std::string& out, const std::vector<T>& items, F print_item) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    print_item(items[i]);
  }
}

void print_exprs(std::string& out, const std::vector<expr_ptr>& items) {
  print_list(out, items, [&](const expr_ptr& e) { print(out, *e); });
}

struct expr_printer {
  std::string& out;

  void operator()(const literal& l) const {
    if (l.kind == literal_kind::string) {
      out += quote_string(l.text);
    } else if (l.kind == literal_kind::timestamp) {
      out += "TIMESTAMP ";
      out += quote_string(l.text);
    } else {
      out += l.text;
    }
  }
  void operator()(const column_ref& c) const {
    if (!c.table.empty()) {
      print_name(out, c.table);
      out += '.';
    }
    print_name(out, c.column);
  }
  void operator()(const placeholder& p) const { out += "$" + std::to_string(p.index); }
  void operator()(const unary_expr& u) const {
    out += u.op == unary_op::not_ ? "(NOT " : u.op == unary_op::negate ? "(- " : "(+ ";
    print(out, *u.operand);
    out += ')';
  }
  void operator()(const binary_expr& b) const {
    out += '(';
    print(out, *b.left);
    out += ' ';
    out += binary_spelling(b.op);
    out += ' ';
    print(out, *b.right);
    out += ')';
  }
  void operator()(const is_null_expr& n) const {
    out += '(';
    print(out, *n.operand);
    out += n.negated ? " IS NOT NULL)" : " IS NULL)";
  }
  void operator()(const in_expr& in) const {
    out += '(';
    print(out, *in.operand);
    out += in.negated ? " NOT IN (" : " IN (";
    print_exprs(out, in.items);
    out += "))";
  }
  void operator()(const between_expr& b) const {
    out += '(';
    print(out, *b.operand);
    out += b.negated ? " NOT BETWEEN " : " BETWEEN ";
    print(out, *b.low);
    out += " AND ";
    print(out, *b.high);
    out += ')';
  }
  void operator()(const like_expr& l) const {
    out += '(';
    print(out, *l.operand);
    out += l.negated ? " NOT LIKE " : " LIKE ";
    print(out, *l.pattern);
    out += ')';
  }
  void operator()(const function_call& f) const {
    print_name(out, f.name);
    out += '(';
    if (f.star) out += '*';
    if (f.distinct) out += "DISTINCT ";
    print_exprs(out, f.args);
    out += ')';
  }
  void operator()(const case_expr& c) const {
    out += "CASE ";
    if (c.operand) {
      print(out, *c.operand);
      out += ' ';
    }
    for (const when_clause& w : c.whens) {
      out += "WHEN ";
      print(out, *w.condition);
      out += " THEN ";
      print(out, *w.result);
      out += ' ';
    }
    if (c.else_result) {
      out += "ELSE ";
      print(out, *c.else_result);
      out += ' ';
    }
    out += "END";
  }
  void operator()(const cast_expr& c) const {
    out += "CAST(";
    print(out, *c.operand);
    out += " AS ";
    print(out, c.type);
    out += ')';
  }
};

void print(std::string& out, const expr& e) { std::visit(expr_printer{out}, e.node); }

void print(std::string& out, const type_name& t) {
  switch (t.kind) {
    case type_kind::bigint: out += "BIGINT"; break;
    case type_kind::double_: out += "DOUBLE"; break;
    case type_kind::decimal:
      out += "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
      break;
    case type_kind::text: out += "TEXT"; break;
    case type_kind::varchar: out += "VARCHAR(" + std::to_string(t.length) + ")"; break;
    case type_kind::boolean: out += "BOOLEAN"; break;
    case type_kind::timestamp: out += "TIMESTAMP"; break;
  }
}

}  // namespace

std::string_view binary_spelling(binary_op op) {
  switch (op) {
    case binary_op::or_: return "OR";
    case binary_op::and_: return "AND";
    case binary_op::equal: return "=";
    case binary_op::not_equal: return "<>";
    case binary_op::less: return "<";
    case binary_op::less_equal: return "<=";
    case binary_op::greater: return ">";
    case binary_op::greater_equal: return ">=";
    case binary_op::add: return "+";
    case binary_op::subtract: return "-";
    case binary_op::concat: return "||";
    case binary_op::multiply: return "*";
    case binary_op::divide: return "/";
    case binary_op::modulo: return "%";
  }
  return "?";
}

namespace detail {
// Shared with statement_printer.cpp.
void print_expr(std::string& out, const expr& e) { print(out, e); }
void print_type(std::string& out, const type_name& t) { print(out, t); }
}  // namespace detail

std::string to_string(const expr& e) {
  std::string out;
  print(out, e);
  return out;
}

std::string to_string(const type_name& t) {
  std::string out;
  print(out, t);
  return out;
}

std::string quote_identifier(std::string_view name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
              lookup_keyword(name) == keyword::none;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) bare = false;
  }
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

std::string quote_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

bool is_generated_id(const expr& e) {
  const auto* call = std::get_if<function_call>(&e.node);
  return call != nullptr && call->name == "gen_id" && call->args.empty() && !call->star &&
         !call->distinct;
}

}  // namespace meridian::sql
