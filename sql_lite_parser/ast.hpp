// The syntax tree the parser produces and the binder, planner and EXPLAIN walk. Nodes own their
// children (unique_ptr / vector) and their text (std::string), so a tree outlives the SQL text
// it came from; every node carries the source_pos of its first token (operators: the
// operator's token) for errors found later. Plain data: built by one thread, then read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sql_lite_parser/token.hpp"

namespace meridian::sql {

// A name: unquoted names are folded to lower case, "quoted" ones keep case and may be keywords.
struct identifier {
  std::string value;
  source_pos pos;
};

enum class type_kind : std::uint8_t {
  bigint,     // INT, INTEGER, BIGINT: 64-bit signed
  double_,    // DOUBLE, DOUBLE PRECISION, FLOAT, REAL: 64-bit IEEE
  decimal,    // DECIMAL(p[,s]), NUMERIC(p[,s]): exact, 1 <= p <= 38, 0 <= s <= p
  text,       // TEXT
  varchar,    // VARCHAR(n), 1 <= n <= parse_limits::max_varchar_length
  boolean,    // BOOL, BOOLEAN
  timestamp,  // TIMESTAMP: microseconds, UTC
};

struct type_name {
  type_kind kind = type_kind::bigint;
  int precision = 0;  // decimal only
  int scale = 0;      // decimal only
  std::int64_t length = 0;  // varchar only
  source_pos pos;
};

struct expr;
using expr_ptr = std::unique_ptr<expr>;

enum class literal_kind : std::uint8_t {
  null,           // text "NULL"
  boolean,        // text "TRUE" or "FALSE"
  integer,        // text: optional '-' and digits, as written; may exceed 64 bits (binder checks)
  exact_numeric,  // text like "-1.50": a DECIMAL value, exactly as written
  float_number,   // text like "2.5e-3": a DOUBLE
  string,         // text: the value, quotes removed and '' undone
  timestamp,      // TIMESTAMP '2024-01-02 03:04:05': text is the quoted part, unchecked
};

// A minus sign written directly before a number is folded into the literal ("-5" is one
// integer literal), so -9223372036854775808 is representable and EXPLAIN shows what was typed.
struct literal {
  literal_kind kind = literal_kind::null;
  std::string text;
};

// `a` (table empty) or `t.a`.
struct column_ref {
  std::string table;
  std::string column;
};

// $1, $2, ...: index >= 1, at most parse_limits::max_placeholder_index.
struct placeholder {
  std::uint32_t index = 1;
};

enum class unary_op : std::uint8_t { negate, plus, not_ };

struct unary_expr {
  unary_op op = unary_op::negate;
  expr_ptr operand;
};

enum class binary_op : std::uint8_t {
  or_, and_,
  equal, not_equal, less, less_equal, greater, greater_equal,  // != is kept as not_equal
  add, subtract, concat,
  multiply, divide, modulo,
};

struct binary_expr {
  binary_op op = binary_op::add;
  expr_ptr left;
  expr_ptr right;
};

// operand IS [NOT] NULL
struct is_null_expr {
  expr_ptr operand;
  bool negated = false;
};

// operand [NOT] IN (items...), at least one item
struct in_expr {
  expr_ptr operand;
  std::vector<expr_ptr> items;
  bool negated = false;
};

// operand [NOT] BETWEEN low AND high
struct between_expr {
  expr_ptr operand;
  expr_ptr low;
  expr_ptr high;
  bool negated = false;
};

// operand [NOT] LIKE pattern
struct like_expr {
  expr_ptr operand;
  expr_ptr pattern;
  bool negated = false;
};

// name(args), name(DISTINCT args), count(*). The name is folded like any identifier; the
// parser does not know which functions exist (the binder does).
struct function_call {
  std::string name;
  std::vector<expr_ptr> args;
  bool distinct = false;
  bool star = false;  // count(*): args is empty
};

struct when_clause {
  expr_ptr condition;  // for CASE x WHEN v: the value v compared with x
  expr_ptr result;
};

// CASE [operand] WHEN ... THEN ... [ELSE ...] END; operand and else_result may be null.
struct case_expr {
  expr_ptr operand;
  std::vector<when_clause> whens;
  expr_ptr else_result;
};

struct cast_expr {
  expr_ptr operand;
  type_name type;
};

using expr_node = std::variant<literal, column_ref, placeholder, unary_expr, binary_expr,
                               is_null_expr, in_expr, between_expr, like_expr, function_call,
                               case_expr, cast_expr>;

struct expr {
  expr_node node;
  source_pos pos;
  // Invariant: 1 <= height <= parse_limits::max_nesting_depth, so walkers may recurse. It is
  // the parenthesis depth of the node's canonical printout plus one: 1 for leaves, 1 + the
  // tallest child otherwise, and 2 + the tallest item for IN lists (whose printout nests the
  // list's own parentheses inside the node's).
  std::uint16_t height = 1;
};

// ---- statements --------------------------------------------------------------------------

enum class select_item_kind : std::uint8_t { expression, star, table_star };

struct select_item {
  select_item_kind kind = select_item_kind::expression;
  expr_ptr value;                   // expression only
  std::optional<identifier> alias;  // expression only: AS alias (or a bare alias)
  identifier table;                 // table_star only: t in t.*
  source_pos pos;
};

struct table_ref {
  identifier table;
  std::optional<identifier> alias;
};

// [INNER] JOIN table ON condition
struct join_clause {
  table_ref table;
  expr_ptr on;
  source_pos pos;
};

struct order_item {
  expr_ptr value;
  bool descending = false;
};

struct select_stmt {
  bool distinct = false;
  std::vector<select_item> items;  // at least one
  std::optional<table_ref> from;   // absent for SELECT 1 + 2
  std::vector<join_clause> joins;  // empty unless from is present
  expr_ptr where;
  std::vector<expr_ptr> group_by;
  expr_ptr having;
  std::vector<order_item> order_by;
  expr_ptr limit;
  expr_ptr offset;
  bool for_update = false;
  expr_ptr as_of_system_time;  // AS OF SYSTEM TIME <expr>, e.g. '-10s'
};

struct insert_stmt {
  identifier table;
  std::vector<identifier> columns;          // empty: all columns in table order
  std::vector<std::vector<expr_ptr>> rows;  // at least one; all rows have the same width,
                                            // which equals columns.size() when columns is set
  bool on_conflict_do_nothing = false;
};

struct assignment {
  identifier column;
  expr_ptr value;
};

struct update_stmt {
  identifier table;
  std::vector<assignment> assignments;  // at least one
  expr_ptr where;
};

struct delete_stmt {
  identifier table;
  expr_ptr where;
};

enum class nullability : std::uint8_t { unspecified, nullable, not_null };

// A column in CREATE TABLE or ALTER TABLE ... ADD COLUMN. An automatically generated unique id is
// spelled `DEFAULT gen_id()`: a 64-bit value unique across the cluster without coordination (no
// central counter, no ordering promise); is_generated_id() recognises it for the binder.
struct column_def {
  identifier name;
  type_name type;
  nullability null_rule = nullability::unspecified;
  expr_ptr default_value;
  bool primary_key = false;
  bool unique = false;
};

enum class table_constraint_kind : std::uint8_t { primary_key, unique };

struct table_constraint {
  table_constraint_kind kind = table_constraint_kind::primary_key;
  std::vector<identifier> columns;  // at least one
  source_pos pos;
};

// name = value in WITH (...) or ALTER TABLE ... SET. Names are not checked by the parser;
// values are expressions (leader_dc = 'eu-west' is a string literal, home_dc_column = region a
// column reference) so the binder can check both with positions.
struct table_option {
  identifier name;
  expr_ptr value;
};

struct create_table_stmt {
  identifier name;
  bool if_not_exists = false;
  std::vector<column_def> columns;  // at least one
  std::vector<table_constraint> constraints;  // at most one primary key in all
  std::vector<table_option> options;
};

struct create_index_stmt {
  identifier name;
  identifier table;
  std::vector<identifier> columns;  // at least one
  bool unique = false;
  bool if_not_exists = false;
};

enum class alter_action : std::uint8_t { add_column, set_option };

struct alter_table_stmt {
  identifier table;
  alter_action action = alter_action::add_column;
  column_def column;    // add_column only
  table_option option;  // set_option only
};

struct drop_table_stmt {
  identifier name;
  bool if_exists = false;
};

struct drop_index_stmt {
  identifier name;
  bool if_exists = false;
};

struct begin_stmt {};
struct commit_stmt {};
struct rollback_stmt {};
struct show_tables_stmt {};

struct describe_stmt {
  identifier table;
};

struct statement;

// EXPLAIN <statement>; the inner statement is never itself an EXPLAIN.
struct explain_stmt {
  std::unique_ptr<statement> inner;
};

using statement_node =
    std::variant<select_stmt, insert_stmt, update_stmt, delete_stmt, create_table_stmt,
                 create_index_stmt, alter_table_stmt, drop_table_stmt, drop_index_stmt,
                 begin_stmt, commit_stmt, rollback_stmt, explain_stmt, show_tables_stmt,
                 describe_stmt>;

struct statement {
  statement_node node;
  source_pos pos;                // the first token
  std::uint32_t end_offset = 0;  // just after the last token: the text is
                                 // source.substr(pos.offset, end_offset - pos.offset)
};

// True for `gen_id()`, the one spelling of an automatically generated unique id default.
bool is_generated_id(const expr& e);

// Canonical text: keywords upper case, names quoted only when they must be, every operator
// expression fully parenthesised ("((a + (b * c)) = 7)"). Parsing the printout gives a tree
// that prints the same again, which the tests and the fuzz target check; EXPLAIN shows it.
std::string to_string(const statement& s);
std::string to_string(const expr& e);
std::string to_string(const type_name& t);
// A name as SQL must write it: bare when it is lower-case [a-z_][a-z0-9_]* and not a keyword,
// otherwise double-quoted with " doubled.
std::string quote_identifier(std::string_view name);
// A string literal: single-quoted with ' doubled.
std::string quote_string(std::string_view value);
// An operator as SQL spells it ("AND", "<>", "||").
std::string_view binary_spelling(binary_op op);

}  // namespace meridian::sql
