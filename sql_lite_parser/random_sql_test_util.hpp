// A generator of random valid SQL for the parser's randomized tests (header only, test
// support). Each piece it builds carries two spellings: a loose one, as tokens, in random
// keyword case with minimal (or redundant) parentheses, and the canonical text the printer
// must produce for it. So a parse of the loose text is checked against an independent model of
// precedence, folding and quoting. Single-threaded; all randomness comes from the seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::sql::testing {

// Binding strength of a piece's outermost construct in the loose spelling.
enum precedence : int {
  prec_or = 1,
  prec_and,
  prec_not,
  prec_compare,
  prec_add,
  prec_mul,
  prec_unary,
  prec_primary,
};

struct sql_piece {
  std::string canon;
  std::vector<std::string> tokens;  // loose spelling, one lexical token each
  int prec = prec_primary;
  bool unsigned_number = false;  // a number literal without sign (a '-' before it folds)
};

class random_sql {
 public:
  explicit random_sql(std::uint64_t seed) : rng_(seed) {}

  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
  }

  // The tokens joined by random whitespace and comments (always at least one blank).
  std::string join(const std::vector<std::string>& tokens) {
    static const std::vector<std::string> separators = {
        " ", " ", " ", "\n", "\t", "  ", " /* c */ ", " -- note\n", "\r\n", " /**/\n"};
    std::string out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) out += pick(separators);
      out += tokens[i];
    }
    return out;
  }

  // A keyword in random case.
  std::string kw(std::string_view upper) {
    std::string out(upper);
    int style = uniform(0, 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
      bool lower = style == 1 || (style == 2 && uniform(0, 1) == 0);
      if (lower && out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
    return out;
  }

  // {loose spelling, canonical spelling} of a name.
  std::pair<std::string, std::string> name() {
    static const std::vector<std::pair<std::string, std::string>> names = {
        {"a", "a"},
        {"B", "b"},
        {"total", "total"},
        {"Region", "region"},
        {"_x1", "_x1"},
        {"\"Mixed Case\"", "\"Mixed Case\""},
        {"\"select\"", "\"select\""},
        {"\"plain\"", "plain"},
        {"\"a\"\"b\"", "\"a\"\"b\""},
        {"key", "\"key\""},
        {"text", "\"text\""},
        {"timestamp", "\"timestamp\""},
        {"if", "\"if\""},
        {"\"\xc3\xa9t\xc3\xa9\"", "\"\xc3\xa9t\xc3\xa9\""},
    };
    return pick(names);
  }

  sql_piece expression(int depth) {
    if (depth <= 0 || chance(25)) return maybe_wrapped(leaf(depth));
    switch (uniform(0, 13)) {
      case 0: return binary(depth, "OR", {kw("OR")}, prec_or, false);
      case 1: return binary(depth, "AND", {kw("AND")}, prec_and, false);
      case 2: return not_expr(depth);
      case 3: return comparison(depth);
      case 4: {
        static const std::vector<std::string> ops = {"+", "-", "||"};
        const std::string& op = pick(ops);
        return binary(depth, op, {op}, prec_add, false);
      }
      case 5: {
        static const std::vector<std::string> ops = {"*", "/", "%"};
        const std::string& op = pick(ops);
        return binary(depth, op, {op}, prec_mul, false);
      }
      case 6: return sign(depth);
      case 7: return is_null(depth);
      case 8: return in_list(depth);
      case 9: return between(depth);
      case 10: return like(depth);
      case 11: return call(depth);
      case 12: return case_expr(depth);
      default: return cast(depth);
    }
  }

  // {loose tokens, canonical} of a type.
  std::pair<std::vector<std::string>, std::string> type() {
    switch (uniform(0, 12)) {
      case 0: return {{kw("INT")}, "BIGINT"};
      case 1: return {{kw("INTEGER")}, "BIGINT"};
      case 2: return {{kw("BIGINT")}, "BIGINT"};
      case 3: return {{kw("DOUBLE")}, "DOUBLE"};
      case 4: return {{kw("DOUBLE"), kw("PRECISION")}, "DOUBLE"};
      case 5: return {{kw("FLOAT")}, "DOUBLE"};
      case 6: return {{kw("REAL")}, "DOUBLE"};
      case 7: return {{kw("DECIMAL"), "(", "12", ",", "2", ")"}, "DECIMAL(12,2)"};
      case 8: return {{kw("NUMERIC"), "(", "5", ")"}, "DECIMAL(5,0)"};
      case 9: return {{kw("TEXT")}, "TEXT"};
      case 10: return {{kw("VARCHAR"), "(", "20", ")"}, "VARCHAR(20)"};
      case 11: return {{kw(chance(50) ? "BOOL" : "BOOLEAN")}, "BOOLEAN"};
      default: return {{kw("TIMESTAMP")}, "TIMESTAMP"};
    }
  }

 private:
  static void append(std::vector<std::string>& out, const std::vector<std::string>& more) {
    out.insert(out.end(), more.begin(), more.end());
  }

  // The loose tokens of an operand, parenthesised when its construct binds more loosely than
  // the context requires (and now and then for no reason, which must not change anything).
  void operand(std::vector<std::string>& out, const sql_piece& p, bool needs_parentheses) {
    if (needs_parentheses || chance(4)) {
      out.push_back("(");
      append(out, p.tokens);
      out.push_back(")");
    } else {
      append(out, p.tokens);
    }
  }

  sql_piece maybe_wrapped(sql_piece p) {
    if (chance(5)) {
      p.tokens.insert(p.tokens.begin(), "(");
      p.tokens.push_back(")");
      p.prec = prec_primary;
    }
    return p;
  }

  sql_piece leaf(int depth);
  sql_piece binary(int depth, const std::string& canon_op, std::vector<std::string> loose_op,
                   int prec, bool non_associative);
  sql_piece comparison(int depth);
  sql_piece not_expr(int depth);
  sql_piece sign(int depth);
  sql_piece is_null(int depth);
  sql_piece in_list(int depth);
  sql_piece between(int depth);
  sql_piece like(int depth);
  sql_piece call(int depth);
  sql_piece case_expr(int depth);
  sql_piece cast(int depth);

  std::mt19937_64 rng_;
};

inline sql_piece random_sql::leaf(int depth) {
  sql_piece p;
  switch (uniform(0, 9)) {
    case 0:
    case 1: {
      auto [loose, canon] = name();
      p.tokens = {loose};
      p.canon = canon;
      if (chance(30)) {
        auto [table_loose, table_canon] = name();
        p.tokens = {table_loose, ".", loose};
        p.canon = table_canon + "." + canon;
      }
      return p;
    }
    case 2:
    case 3: {
      static const std::vector<std::string> numbers = {
          "42", "0", "007", "1.50", ".5", "5.", "1e10", "2.5E-3", "99999999999999999999999"};
      p.canon = pick(numbers);
      p.tokens = {p.canon};
      p.unsigned_number = true;
      return p;
    }
    case 4: {
      static const std::vector<std::string> strings = {"'it''s'", "''", "'multi\nline'",
                                                       "'\xc3\xbcn\xc3\xaf'", "'--x'",
                                                       "'/*'"};
      p.canon = pick(strings);
      p.tokens = {p.canon};
      return p;
    }
    case 5: {
      static const std::vector<std::string> words = {"TRUE", "FALSE", "NULL"};
      p.canon = pick(words);
      p.tokens = {kw(p.canon)};
      return p;
    }
    case 6: {
      int index = uniform(1, 12);
      p.canon = "$" + std::to_string(index);
      p.tokens = {chance(20) ? "$0" + std::to_string(index) : p.canon};
      return p;
    }
    case 7:
      p.canon = "TIMESTAMP '2024-01-02 03:04:05'";
      p.tokens = {kw("TIMESTAMP"), "'2024-01-02 03:04:05'"};
      return p;
    default: return depth > 0 ? call(depth) : leaf(0);
  }
}

inline sql_piece random_sql::binary(int depth, const std::string& canon_op,
                                    std::vector<std::string> loose_op, int prec,
                                    bool non_associative) {
  sql_piece left = expression(depth - 1);
  sql_piece right = expression(depth - 1);
  sql_piece p;
  p.prec = prec;
  p.canon = "(" + left.canon + " " + canon_op + " " + right.canon + ")";
  operand(p.tokens, left, non_associative ? left.prec <= prec : left.prec < prec);
  append(p.tokens, loose_op);
  operand(p.tokens, right, right.prec <= prec);
  return p;
}

inline sql_piece random_sql::comparison(int depth) {
  static const std::vector<std::pair<std::string, std::string>> ops = {
      {"=", "="}, {"<>", "<>"}, {"!=", "<>"}, {"<", "<"}, {"<=", "<="}, {">", ">"}, {">=", ">="}};
  const auto& [loose, canon] = pick(ops);
  return binary(depth, canon, {loose}, prec_compare, true);
}

inline sql_piece random_sql::not_expr(int depth) {
  sql_piece x = expression(depth - 1);
  sql_piece p;
  p.prec = prec_not;
  p.canon = "(NOT " + x.canon + ")";
  p.tokens = {kw("NOT")};
  operand(p.tokens, x, x.prec < prec_not);
  return p;
}

inline sql_piece random_sql::sign(int depth) {
  sql_piece x = expression(depth - 1);
  bool minus = chance(70);
  sql_piece p;
  p.prec = prec_unary;
  p.tokens = {minus ? "-" : "+"};
  operand(p.tokens, x, x.prec < prec_unary);
  p.canon = minus && x.unsigned_number ? "-" + x.canon
                                       : std::string(minus ? "(- " : "(+ ") + x.canon + ")";
  return p;
}

inline sql_piece random_sql::is_null(int depth) {
  sql_piece x = expression(depth - 1);
  bool negated = chance(50);
  sql_piece p;
  p.prec = prec_compare;
  p.canon = "(" + x.canon + (negated ? " IS NOT NULL)" : " IS NULL)");
  operand(p.tokens, x, x.prec <= prec_compare);
  p.tokens.push_back(kw("IS"));
  if (negated) p.tokens.push_back(kw("NOT"));
  p.tokens.push_back(kw("NULL"));
  return p;
}

inline sql_piece random_sql::in_list(int depth) {
  sql_piece x = expression(depth - 1);
  bool negated = chance(40);
  sql_piece p;
  p.prec = prec_compare;
  operand(p.tokens, x, x.prec <= prec_compare);
  if (negated) p.tokens.push_back(kw("NOT"));
  p.tokens.push_back(kw("IN"));
  p.tokens.push_back("(");
  p.canon = "(" + x.canon + (negated ? " NOT IN (" : " IN (");
  int items = uniform(1, 3);
  for (int i = 0; i < items; ++i) {
    sql_piece item = expression(depth - 1);
    if (i > 0) {
      p.tokens.push_back(",");
      p.canon += ", ";
    }
    append(p.tokens, item.tokens);
    p.canon += item.canon;
  }
  p.tokens.push_back(")");
  p.canon += "))";
  return p;
}

inline sql_piece random_sql::between(int depth) {
  sql_piece x = expression(depth - 1);
  sql_piece low = expression(depth - 1);
  sql_piece high = expression(depth - 1);
  bool negated = chance(40);
  sql_piece p;
  p.prec = prec_compare;
  p.canon = "(" + x.canon + (negated ? " NOT BETWEEN " : " BETWEEN ") + low.canon + " AND " +
            high.canon + ")";
  operand(p.tokens, x, x.prec <= prec_compare);
  if (negated) p.tokens.push_back(kw("NOT"));
  p.tokens.push_back(kw("BETWEEN"));
  operand(p.tokens, low, low.prec < prec_add);
  p.tokens.push_back(kw("AND"));
  operand(p.tokens, high, high.prec < prec_add);
  return p;
}

inline sql_piece random_sql::like(int depth) {
  sql_piece x = expression(depth - 1);
  sql_piece pattern = expression(depth - 1);
  bool negated = chance(40);
  sql_piece p;
  p.prec = prec_compare;
  p.canon = "(" + x.canon + (negated ? " NOT LIKE " : " LIKE ") + pattern.canon + ")";
  operand(p.tokens, x, x.prec <= prec_compare);
  if (negated) p.tokens.push_back(kw("NOT"));
  p.tokens.push_back(kw("LIKE"));
  operand(p.tokens, pattern, pattern.prec < prec_add);
  return p;
}

inline sql_piece random_sql::call(int depth) {
  static const std::vector<std::pair<std::string, std::string>> functions = {
      {"COUNT", "count"}, {"sum", "sum"},       {"Avg", "avg"},    {"MIN", "min"},
      {"max", "max"},     {"COALESCE", "coalesce"}, {"now", "now"}, {"gen_id", "gen_id"},
      {"\"My Fn\"", "\"My Fn\""}, {"text", "\"text\""}};
  const auto& [loose, canon] = pick(functions);
  sql_piece p;
  p.tokens = {loose, "("};
  p.canon = canon + "(";
  if (canon == "count" && chance(50)) {
    p.tokens.push_back("*");
    p.canon += "*";
  } else if (depth > 0 && chance(80)) {
    if (chance(25)) {
      p.tokens.push_back(kw("DISTINCT"));
      p.canon += "DISTINCT ";
    }
    int args = uniform(1, 3);
    for (int i = 0; i < args; ++i) {
      sql_piece arg = expression(depth - 1);
      if (i > 0) {
        p.tokens.push_back(",");
        p.canon += ", ";
      }
      append(p.tokens, arg.tokens);
      p.canon += arg.canon;
    }
  }
  p.tokens.push_back(")");
  p.canon += ")";
  return p;
}

inline sql_piece random_sql::case_expr(int depth) {
  sql_piece p;
  p.tokens = {kw("CASE")};
  p.canon = "CASE ";
  if (chance(40)) {
    sql_piece x = expression(depth - 1);
    append(p.tokens, x.tokens);
    p.canon += x.canon + " ";
  }
  int whens = uniform(1, 2);
  for (int i = 0; i < whens; ++i) {
    sql_piece condition = expression(depth - 1);
    sql_piece value = expression(depth - 1);
    p.tokens.push_back(kw("WHEN"));
    append(p.tokens, condition.tokens);
    p.tokens.push_back(kw("THEN"));
    append(p.tokens, value.tokens);
    p.canon += "WHEN " + condition.canon + " THEN " + value.canon + " ";
  }
  if (chance(50)) {
    sql_piece otherwise = expression(depth - 1);
    p.tokens.push_back(kw("ELSE"));
    append(p.tokens, otherwise.tokens);
    p.canon += "ELSE " + otherwise.canon + " ";
  }
  p.tokens.push_back(kw("END"));
  p.canon += "END";
  return p;
}

inline sql_piece random_sql::cast(int depth) {
  sql_piece x = expression(depth - 1);
  auto [type_tokens, type_canon] = type();
  sql_piece p;
  p.tokens = {kw("CAST"), "("};
  append(p.tokens, x.tokens);
  p.tokens.push_back(kw("AS"));
  append(p.tokens, type_tokens);
  p.tokens.push_back(")");
  p.canon = "CAST(" + x.canon + " AS " + type_canon + ")";
  return p;
}

}  // namespace meridian::sql::testing
