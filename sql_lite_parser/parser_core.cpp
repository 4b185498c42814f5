// The parser's token stream (a few tokens of lookahead over the on-demand tokenizer), its error
// construction, statement dispatch and the public parse_statement / parse_script. Each call
// builds its own parser on the caller's thread; nothing is shared.
#include "sql_lite_parser/parser_core.hpp"

#include <limits>

#include "sql_lite_parser/parser.hpp"
#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::sql {
namespace detail {

std::string identifier_value(const token& t) {
  std::string out;
  if (t.kind == token_kind::word) {
    out.assign(t.text.data(), t.text.size());
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  std::string_view inner = t.text.substr(1, t.text.size() - 2);
  out.reserve(inner.size());
  for (std::size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (inner[i] == '"') ++i;  // "" stands for one "
  }
  return out;
}

std::string string_value(std::string_view quoted) {
  std::string_view inner = quoted.substr(1, quoted.size() - 2);
  if (inner.find('\'') == std::string_view::npos) return std::string(inner);
  std::string out;
  out.reserve(inner.size());
  for (std::size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (inner[i] == '\'') ++i;  // '' stands for one '
  }
  return out;
}

void parser::begin_statement() {
  statement_start_ = peek().pos.offset;
  has_previous_ = false;
}

const token& parser::peek_slow(std::size_t ahead) {
  MERIDIAN_ASSERT(ahead < lookahead_capacity, "lookahead beyond the parser's buffer");
  if (too_long_) return too_long_token_;
  while (count_ <= ahead) {
    tokenizer_.next(buffer_[(head_ + count_) & (lookahead_capacity - 1)]);
    ++count_;
  }
  return buffer_[(head_ + ahead) & (lookahead_capacity - 1)];
}

const token& parser::advance() {
  const token& current = peek();
  if (too_long_) return current;
  previous_ = current;
  const token& t = previous_;
  head_ = (head_ + 1) & (lookahead_capacity - 1);
  --count_;
  std::size_t end = t.pos.offset + t.text.size();
  // The ';' that ends a statement is not part of it.
  if (t.kind != token_kind::semicolon &&
      end - statement_start_ > parse_limits::max_statement_bytes) {
    source_pos start = position_of_offset(tokenizer_.source(), statement_start_);
    too_long_error_ = make_sql_error(
        errc::sql_statement_too_long, tokenizer_.source(), start,
        "the statement is longer than the limit of " +
            std::to_string(parse_limits::max_statement_bytes) +
            " bytes; split it into several statements");
    too_long_token_ = token{token_kind::error, keyword::none, {}, start};
    too_long_ = true;
  }
  has_previous_ = true;
  return previous_;
}

bool parser::accept(token_kind kind) {
  if (!peek_is(kind)) return false;
  advance();
  return true;
}

bool parser::accept(keyword kw) {
  if (!peek_is(kw)) return false;
  advance();
  return true;
}

status parser::expect(token_kind kind, std::string_view what) {
  if (accept(kind)) return ok_status();
  return fail_expected(peek(), what);
}

status parser::expect(keyword kw) {
  if (accept(kw)) return ok_status();
  return fail_expected(peek(), keyword_spelling(kw));
}

bool parser::peek_is_identifier(std::size_t ahead) {
  const token& t = peek(ahead);
  return t.kind == token_kind::quoted_identifier ||
         (t.kind == token_kind::word && !is_reserved(t.kw));
}

result<identifier> parser::expect_identifier(std::string_view what) {
  if (peek_is_identifier()) {
    const token& t = advance();
    return identifier{identifier_value(t), t.pos};
  }
  const token& t = peek();
  if (t.kind == token_kind::word) {
    std::string lower = identifier_value(t);
    return fail_at(t, errc::sql_syntax,
                   "expected " + std::string(what) + " after " + describe_after(previous_) +
                       ", found keyword " + std::string(keyword_spelling(t.kw)) +
                       " (a reserved word: write \"" + lower + "\" to use it as a name)");
  }
  return fail_expected(t, what);
}

error parser::fail_expected(const token& t, std::string_view expected, std::string_view hint) {
  if (t.kind == token_kind::error) return fail_at(t, errc::sql_syntax, "");
  std::string message = "expected " + std::string(expected);
  if (has_previous_) message += " after " + describe_after(previous_);
  message += ", found " + describe_found(t);
  if (!hint.empty()) message += " (" + std::string(hint) + ")";
  return fail_at(t, errc::sql_syntax, message);
}

error parser::fail_at(const token& t, errc code, std::string_view message) {
  if (t.kind == token_kind::error) {
    if (too_long_error_) {
      error_pos_ = too_long_token_.pos;
      return *too_long_error_;
    }
    error_pos_ = tokenizer_.failure_pos();
    return tokenizer_.failure();
  }
  return fail_at(t.pos, code, message);
}

error parser::fail_at(source_pos pos, errc code, std::string_view message) {
  error_pos_ = pos;
  return make_sql_error(code, tokenizer_.source(), pos, message);
}

error parser::fail_unclosed(std::string_view expected, std::string_view construct,
                            source_pos open, std::string_view name) {
  const token& t = peek();
  if (t.kind == token_kind::error) return fail_at(t, errc::sql_syntax, "");
  return fail_at(t, errc::sql_syntax,
                 "expected " + std::string(expected) + " to close " + std::string(construct) +
                     shorten(name) + (name.empty() ? "" : "(") + " at " + where(open) +
                     ", found " + describe_found(t));
}

error parser::nesting_too_deep(source_pos pos) {
  return fail_at(pos, errc::sql_nesting_too_deep,
                 "the expression nests deeper than the limit of " +
                     std::to_string(parse_limits::max_nesting_depth) +
                     " levels (parentheses, calls and operators all count); simplify it, or "
                     "use IN (...) instead of a long chain of OR");
}

error parser::fail_chained_comparison() {
  return fail_at(peek(), errc::sql_syntax,
                 "found " + describe_found(peek()) +
                     " after a comparison, but comparisons do not chain: write a < b AND b < c, "
                     "or add parentheses");
}

error parser::fail_not_operand() {
  return fail_at(peek(), errc::sql_syntax,
                 "expected an expression after " + describe_after(previous_) +
                     ", found keyword NOT (NOT binds more loosely than comparisons and "
                     "arithmetic: write (NOT ...))");
}

std::string parser::where(source_pos pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

status parser::parse_statement(statement& out) {
  const token first = peek();
  MERIDIAN_TRY(parse_statement_node(out.node, first));
  out.pos = first.pos;
  out.end_offset = previous_.pos.offset + static_cast<std::uint32_t>(previous_.text.size());
  return ok_status();
}

status parser::parse_statement_node(statement_node& out, const token& first) {
  switch (first.kind == token_kind::word ? first.kw : keyword::none) {
    case keyword::select: return parse_select(out);
    case keyword::insert: return parse_insert(out);
    case keyword::update: return parse_update(out);
    case keyword::delete_: return parse_delete(out);
    case keyword::create: return parse_create(out);
    case keyword::alter: return parse_alter(out);
    case keyword::drop: return parse_drop(out);
    case keyword::explain: return parse_explain(out);
    case keyword::begin:
    case keyword::commit:
    case keyword::rollback:
      advance();
      accept(keyword::transaction);
      if (first.kw == keyword::begin) out = begin_stmt{};
      if (first.kw == keyword::commit) out = commit_stmt{};
      if (first.kw == keyword::rollback) out = rollback_stmt{};
      return ok_status();
    case keyword::show:
      advance();
      if (!accept(keyword::tables)) return fail_expected(peek(), "TABLES");
      out = show_tables_stmt{};
      return ok_status();
    case keyword::describe: {
      advance();
      auto table = expect_identifier("a table name");
      if (!table.ok()) return table.err();
      out = describe_stmt{std::move(*table)};
      return ok_status();
    }
    case keyword::with:
      return fail_at(first, errc::sql_unsupported, "WITH queries are not supported");
    default:
      return fail_at(first, errc::sql_syntax,
                     "expected a statement (SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, "
                     "DROP, BEGIN, COMMIT, ROLLBACK, EXPLAIN, SHOW or DESCRIBE), found " +
                         describe_found(first));
  }
}

status parser::parse_explain(statement_node& out) {
  advance();
  if (peek_is(keyword::explain)) {
    return fail_at(peek(), errc::sql_syntax, "EXPLAIN cannot be nested");
  }
  auto inner = std::make_unique<statement>();
  MERIDIAN_TRY(parse_statement(*inner));
  out = explain_stmt{std::move(inner)};
  return ok_status();
}

}  // namespace detail

namespace {

// Positions are 32-bit; anything this large is far past every statement limit anyway.
error too_large_input(std::string_view sql, source_pos* error_pos) {
  if (error_pos != nullptr) *error_pos = source_pos{};
  return make_sql_error(errc::sql_statement_too_long, sql.substr(0, 0), source_pos{},
                        "the input of " + std::to_string(sql.size()) +
                            " bytes is larger than 4 GiB");
}

bool too_large(std::string_view sql) {
  return sql.size() >= std::numeric_limits<std::uint32_t>::max();
}

}  // namespace

result<statement> parse_statement(std::string_view sql, source_pos* error_pos) {
  if (too_large(sql)) return too_large_input(sql, error_pos);
  detail::parser p(sql);
  auto failed = [&](error e) {
    if (error_pos != nullptr) *error_pos = p.error_pos();
    return e;
  };
  p.begin_statement();
  if (p.peek_is(token_kind::end_of_input) || p.peek_is(token_kind::semicolon)) {
    return failed(p.fail_expected(p.peek(), "a statement"));
  }
  statement st;
  status parsed = p.parse_statement(st);
  if (!parsed.ok()) return failed(parsed.err());
  bool had_semicolon = p.accept(token_kind::semicolon);
  if (!p.peek_is(token_kind::end_of_input)) {
    return failed(p.fail_expected(
        p.peek(), had_semicolon ? "the end of input (this call takes exactly one statement)"
                                : "';' or the end of the statement"));
  }
  return st;
}

result<std::vector<statement>> parse_script(std::string_view sql, source_pos* error_pos) {
  if (too_large(sql)) return too_large_input(sql, error_pos);
  detail::parser p(sql);
  auto failed = [&](error e) {
    if (error_pos != nullptr) *error_pos = p.error_pos();
    return e;
  };
  std::vector<statement> out;
  for (;;) {
    while (p.accept(token_kind::semicolon)) {
    }
    if (p.peek_is(token_kind::end_of_input)) break;
    p.begin_statement();
    status parsed = p.parse_statement(out.emplace_back());
    if (!parsed.ok()) return failed(parsed.err());
    if (p.peek_is(token_kind::end_of_input)) break;
    if (!p.peek_is(token_kind::semicolon)) {
      return failed(p.fail_expected(p.peek(), "';' or the end of the statement"));
    }
  }
  return out;
}

}  // namespace meridian::sql
