// Runtime value operations; see value_ops.hpp. Integer arithmetic uses the compiler's checked
// builtins; DECIMAL arithmetic is common/decimal's; DOUBLE results that overflow to infinity
// from finite operands are errors rather than silent infinities.
#include "query/value_ops.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "common/time_text.hpp"

namespace meridian::query {
namespace {

error out_of_range(const std::string& what) { return error(errc::sql_out_of_range, what); }

error division_by_zero() { return error(errc::sql_division_by_zero, "division by zero"); }

decimal as_decimal(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return decimal::from_int(*i);
  return std::get<decimal>(d);
}

double as_double(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return static_cast<double>(*i);
  if (const auto* x = std::get_if<decimal>(&d)) return x->to_double();
  return std::get<double>(d);
}

result<datum> int_arithmetic(sql::binary_op op, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case sql::binary_op::add: overflow = __builtin_add_overflow(a, b, &r); break;
    case sql::binary_op::subtract: overflow = __builtin_sub_overflow(a, b, &r); break;
    case sql::binary_op::multiply: overflow = __builtin_mul_overflow(a, b, &r); break;
    case sql::binary_op::divide:
    case sql::binary_op::modulo:
      if (b == 0) return division_by_zero();
      if (a == std::numeric_limits<std::int64_t>::min() && b == -1) {
        if (op == sql::binary_op::modulo) return datum(std::int64_t{0});
        overflow = true;
        break;
      }
      r = op == sql::binary_op::divide ? a / b : a % b;
      break;
    default: MERIDIAN_ASSERT(false, "not an arithmetic operator");
  }
  if (overflow) {
    return out_of_range("BIGINT overflow in " + std::to_string(a) + " and " + std::to_string(b));
  }
  return datum(r);
}

result<datum> decimal_arithmetic(sql::binary_op op, const decimal& a, const decimal& b) {
  result<decimal> r = decimal();
  switch (op) {
    case sql::binary_op::add: r = a.add(b); break;
    case sql::binary_op::subtract: r = a.sub(b); break;
    case sql::binary_op::multiply: r = a.mul(b); break;
    case sql::binary_op::divide: r = a.div(b); break;
    case sql::binary_op::modulo: r = a.mod(b); break;
    default: MERIDIAN_ASSERT(false, "not an arithmetic operator");
  }
  if (!r) return r.err();
  return datum(*r);
}

result<datum> double_arithmetic(sql::binary_op op, double a, double b) {
  double r = 0;
  switch (op) {
    case sql::binary_op::add: r = a + b; break;
    case sql::binary_op::subtract: r = a - b; break;
    case sql::binary_op::multiply: r = a * b; break;
    case sql::binary_op::divide:
      if (b == 0) return division_by_zero();
      r = a / b;
      break;
    case sql::binary_op::modulo:
      if (b == 0) return division_by_zero();
      r = std::fmod(a, b);
      break;
    default: MERIDIAN_ASSERT(false, "not an arithmetic operator");
  }
  if (std::isinf(r) && std::isfinite(a) && std::isfinite(b)) return out_of_range("DOUBLE overflow");
  return datum(r);
}

int three_way_long_double(long double a, long double b) { return a < b ? -1 : (b < a ? 1 : 0); }

int compare_numbers(const datum& a, const datum& b) {
  bool a_double = std::holds_alternative<double>(a);
  bool b_double = std::holds_alternative<double>(b);
  if (a_double || b_double) {
    double x = as_double(a);
    double y = as_double(b);
    bool nx = std::isnan(x);
    bool ny = std::isnan(y);
    if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
    if (!a_double || !b_double) {
      // An int64 converts to long double exactly; a decimal's double is close enough.
      long double lx = std::holds_alternative<std::int64_t>(a)
                           ? static_cast<long double>(std::get<std::int64_t>(a))
                           : static_cast<long double>(x);
      long double ly = std::holds_alternative<std::int64_t>(b)
                           ? static_cast<long double>(std::get<std::int64_t>(b))
                           : static_cast<long double>(y);
      return three_way_long_double(lx, ly);
    }
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b)) {
    std::int64_t x = std::get<std::int64_t>(a);
    std::int64_t y = std::get<std::int64_t>(b);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  return compare(as_decimal(a), as_decimal(b));
}

bool is_number(const datum& d) {
  return std::holds_alternative<std::int64_t>(d) || std::holds_alternative<double>(d) ||
         std::holds_alternative<decimal>(d);
}

// UTF-8 length of the code point starting with byte c (1 for stray continuation bytes).
std::size_t utf8_width(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

std::string truncate_chars(const std::string& s, std::int64_t n) {
  std::size_t pos = 0;
  for (std::int64_t i = 0; i < n && pos < s.size(); ++i) {
    pos += utf8_width(static_cast<unsigned char>(s[pos]));
  }
  return s.substr(0, std::min(pos, s.size()));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

error not_valid(std::string_view text, const char* type) {
  return error(errc::sql_invalid_value,
               "'" + std::string(text) + "' is not a valid " + type + " value");
}

result<std::int64_t> parse_bigint(std::string_view text) {
  std::string s(trim(text));
  if (s.empty()) return not_valid(text, "BIGINT");
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return not_valid(text, "BIGINT");
  for (std::size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return not_valid(text, "BIGINT");
  }
  errno = 0;
  long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return out_of_range("'" + s + "' is out of range for BIGINT");
  return static_cast<std::int64_t>(v);
}

result<double> parse_double(std::string_view text) {
  std::string s(trim(text));
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return not_valid(text, "DOUBLE");
  // 'inf' spelled out is infinity; a finite number too large for DOUBLE is not.
  if (errno == ERANGE && std::isinf(v)) return out_of_range("'" + s + "' is out of range for DOUBLE");
  return v;
}

// A double as an exact decimal of its shortest 17-significant-digit form.
result<decimal> double_to_decimal(double v) {
  if (!std::isfinite(v)) {
    return error(errc::sql_invalid_value, "DOUBLE value " + value_to_text(datum(v)) +
                                              " cannot be converted to DECIMAL");
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.16e", v);  // d.dddddddddddddddde[+-]XX
  std::string text(buf);
  std::size_t e = text.find('e');
  int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (std::size_t i = 0; i < e; ++i) {
    if (text[i] >= '0' && text[i] <= '9') digits.push_back(text[i]);
  }
  bool negative = text[0] == '-';
  int shift = exponent - 16;  // value = digits * 10^shift
  if (shift > 21) return out_of_range("DOUBLE value " + text + " does not fit in DECIMAL");
  if (shift >= 0) {
    digits.append(static_cast<std::size_t>(shift), '0');
    auto d = decimal::parse((negative ? "-" : "") + digits);
    return d;
  }
  int scale = -shift;
  if (scale > decimal::max_scale) {
    // Drop the digits below 10^-38 (with rounding through rescale of a shorter form).
    int drop = scale - decimal::max_scale;
    if (drop >= static_cast<int>(digits.size())) return decimal();
    std::string kept = digits.substr(0, digits.size() - static_cast<std::size_t>(drop));
    auto base = decimal::parse((negative ? "-" : "") + kept);
    if (!base) return base.err();
    return decimal(base->unscaled(), decimal::max_scale);
  }
  auto whole = decimal::parse((negative ? "-" : "") + digits);
  if (!whole) return whole.err();
  return decimal(whole->unscaled(), scale);
}

result<std::int64_t> double_to_bigint(double v) {
  // To the nearest, ties to even, as PostgreSQL casts float8 to bigint (CAST(2.5e0 AS BIGINT)
  // is 2); DECIMAL casts round half away from zero, as PostgreSQL's numeric does.
  double r = std::nearbyint(v);
  if (!std::isfinite(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0) {
    return out_of_range("DOUBLE value " + value_to_text(datum(v)) + " is out of range for BIGINT");
  }
  return static_cast<std::int64_t>(r);
}

result<datum> to_decimal_type(const decimal& d, const sql_type& target) {
  auto r = d.rescale(target.scale, target.precision);
  if (!r) return r.err();
  return datum(*r);
}

result<bool> parse_bool(std::string_view text) {
  std::string s(trim(text));
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "t" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "f" || s == "no" || s == "off" || s == "0") return false;
  return not_valid(text, "BOOL");
}

}  // namespace

result<datum> arithmetic(sql::binary_op op, const datum& a, const datum& b) {
  if (is_null(a) || is_null(b)) return datum(null_value{});
  MERIDIAN_ASSERT(is_number(a) && is_number(b), "arithmetic on non-numbers passed the binder");
  if (std::holds_alternative<double>(a) || std::holds_alternative<double>(b)) {
    return double_arithmetic(op, as_double(a), as_double(b));
  }
  if (std::holds_alternative<decimal>(a) || std::holds_alternative<decimal>(b)) {
    return decimal_arithmetic(op, as_decimal(a), as_decimal(b));
  }
  return int_arithmetic(op, std::get<std::int64_t>(a), std::get<std::int64_t>(b));
}

result<datum> negate(const datum& a) {
  if (is_null(a)) return a;
  if (const auto* i = std::get_if<std::int64_t>(&a)) {
    if (*i == std::numeric_limits<std::int64_t>::min()) {
      return out_of_range("BIGINT overflow negating " + std::to_string(*i));
    }
    return datum(-*i);
  }
  if (const auto* x = std::get_if<double>(&a)) return datum(-*x);
  return datum(std::get<decimal>(a).negate());
}

int compare_values(const datum& a, const datum& b) {
  if (is_number(a) && is_number(b)) return compare_numbers(a, b);
  MERIDIAN_ASSERT(a.index() == b.index(), "comparison of incomparable values passed the binder");
  return compare(a, b);
}

int compare_for_sort(const datum& a, const datum& b) {
  bool na = is_null(a);
  bool nb = is_null(b);
  if (na || nb) return na == nb ? 0 : (na ? -1 : 1);
  return compare_values(a, b);
}

std::string value_to_text(const datum& value) {
  switch (value.index()) {
    case 0: return "NULL";
    case 1: return std::get<bool>(value) ? "true" : "false";
    case 2: return std::to_string(std::get<std::int64_t>(value));
    case 3: return std::to_string(std::get<std::uint64_t>(value));
    case 4: return double_text(std::get<double>(value));
    case 5: return std::get<decimal>(value).to_string();
    case 6: return format_timestamp(std::get<timestamp_value>(value).micros);
    case 7: return std::get<std::string>(value);
    default: return debug_string(value);
  }
}

std::string sql_literal(const datum& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return sql::quote_string(*s);
  if (std::holds_alternative<timestamp_value>(value)) {
    return "TIMESTAMP " + sql::quote_string(value_to_text(value));
  }
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "TRUE" : "FALSE";
  return value_to_text(value);
}

std::int64_t char_length(std::string_view text) {
  std::int64_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool castable(const sql_type& from, const sql_type& to) {
  if (from.is_null() || to.is_text() || from == to) return true;
  if (from.is_text()) return true;  // parsed at run time
  switch (to.id) {
    case type_id::bigint:
    case type_id::decimal: return from.is_numeric() || from.id == type_id::boolean;
    case type_id::double_: return from.is_numeric();
    case type_id::boolean: return from.id == type_id::bigint || from.id == type_id::boolean;
    case type_id::timestamp: return from.id == type_id::timestamp;
    default: return false;
  }
}

namespace {

error no_cast(const datum& value, const sql_type& target) {
  auto from = type_of_value(value);
  return error(errc::sql_type_mismatch, "cannot cast " + (from ? from->to_string() : "?") +
                                            " to " + target.to_string());
}

result<datum> cast_to_bigint(const datum& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    auto v = parse_bigint(*text);
    if (!v) return v.err();
    return datum(*v);
  }
  if (const auto* b = std::get_if<bool>(&value)) return datum(std::int64_t{*b ? 1 : 0});
  if (const auto* x = std::get_if<double>(&value)) {
    auto v = double_to_bigint(*x);
    if (!v) return v.err();
    return datum(*v);
  }
  if (const auto* d = std::get_if<decimal>(&value)) {
    auto whole = d->rescale(0);
    if (!whole) return whole.err();
    auto v = whole->to_int64();
    if (!v) return v.err();
    return datum(*v);
  }
  if (std::holds_alternative<std::int64_t>(value)) return value;
  return no_cast(value, sql_type::bigint());
}

result<datum> cast_to_decimal(const datum& value, const sql_type& target) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    auto d = decimal::parse(trim(*text));
    if (!d) return d.err();
    return to_decimal_type(*d, target);
  }
  if (const auto* b = std::get_if<bool>(&value)) {
    return to_decimal_type(decimal::from_int(*b ? 1 : 0), target);
  }
  if (const auto* x = std::get_if<double>(&value)) {
    auto d = double_to_decimal(*x);
    if (!d) return d.err();
    return to_decimal_type(*d, target);
  }
  if (is_number(value)) return to_decimal_type(as_decimal(value), target);
  return no_cast(value, target);
}

result<datum> cast_to_bool(const datum& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    auto b = parse_bool(*text);
    if (!b) return b.err();
    return datum(*b);
  }
  if (const auto* i = std::get_if<std::int64_t>(&value)) return datum(*i != 0);
  if (std::holds_alternative<bool>(value)) return value;
  return no_cast(value, sql_type::boolean());
}

}  // namespace

result<datum> cast_value(const datum& value, const sql_type& target) {
  if (is_null(value)) return value;
  switch (target.id) {
    case type_id::null: return datum(null_value{});
    case type_id::text: return datum(value_to_text(value));
    case type_id::varchar: return datum(truncate_chars(value_to_text(value), target.length));
    case type_id::bigint: return cast_to_bigint(value);
    case type_id::decimal: return cast_to_decimal(value, target);
    case type_id::boolean: return cast_to_bool(value);
    case type_id::double_:
      if (const auto* text = std::get_if<std::string>(&value)) {
        auto v = parse_double(*text);
        if (!v) return v.err();
        return datum(*v);
      }
      if (is_number(value)) return datum(as_double(value));
      break;
    case type_id::timestamp:
      if (const auto* text = std::get_if<std::string>(&value)) {
        auto t = parse_timestamp(*text);
        if (!t) return t.err();
        return datum(timestamp_value{*t});
      }
      if (std::holds_alternative<timestamp_value>(value)) return value;
      break;
  }
  return no_cast(value, target);
}

result<datum> store_value(const datum& value, const sql_type& column,
                          std::string_view column_name) {
  if (is_null(value)) return value;
  auto mismatch = [&]() {
    auto from = type_of_value(value);
    return error(errc::sql_type_mismatch, "column " + std::string(column_name) + " is " +
                                              column.to_string() + " but the value is " +
                                              (from ? from->to_string() : "?"));
  };
  switch (column.id) {
    case type_id::bigint:
      if (std::holds_alternative<std::int64_t>(value)) return value;
      return mismatch();
    case type_id::double_:
      if (is_number(value)) return datum(as_double(value));
      return mismatch();
    case type_id::decimal: {
      if (!std::holds_alternative<std::int64_t>(value) && !std::holds_alternative<decimal>(value)) {
        return mismatch();
      }
      auto r = as_decimal(value).rescale(column.scale, column.precision);
      if (!r) {
        return error(errc::sql_out_of_range, "value " + value_to_text(value) +
                                                 " does not fit column " +
                                                 std::string(column_name) + " " +
                                                 column.to_string());
      }
      return datum(*r);
    }
    case type_id::varchar:
    case type_id::text: {
      const auto* s = std::get_if<std::string>(&value);
      if (s == nullptr) return mismatch();
      if (column.id == type_id::varchar && char_length(*s) > column.length) {
        return error(errc::sql_invalid_value,
                     "value of " + std::to_string(char_length(*s)) +
                         " characters is too long for column " + std::string(column_name) + " " +
                         column.to_string());
      }
      return value;
    }
    case type_id::boolean:
      if (std::holds_alternative<bool>(value)) return value;
      return mismatch();
    case type_id::timestamp:
      if (std::holds_alternative<timestamp_value>(value)) return value;
      if (const auto* s = std::get_if<std::string>(&value)) {
        auto t = parse_timestamp(*s);
        if (!t) return t.err();
        return datum(timestamp_value{*t});
      }
      return mismatch();
    case type_id::null: break;
  }
  return mismatch();
}

result<bool> like_match(std::string_view text, std::string_view pattern) {
  std::size_t escapes = 0;
  for (std::size_t i = pattern.size(); i > 0 && pattern[i - 1] == '\\'; --i) ++escapes;
  if (escapes % 2 == 1) {
    return error(errc::sql_invalid_value,
                 "a LIKE pattern must not end with the escape character \\ (write \\\\ for a "
                 "literal backslash)");
  }
  // Iterative matcher with one backtrack point for the last %, over bytes; `_` consumes one
  // whole UTF-8 code point. Linear in practice, O(n*m) at worst.
  std::size_t t = 0, p = 0;
  std::size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size() && pattern[p] == '_') {
      t += utf8_width(static_cast<unsigned char>(text[t]));
      ++p;
      continue;
    }
    if (p < pattern.size()) {
      std::size_t lit = p;
      if (pattern[p] == '\\' && p + 1 < pattern.size()) lit = p + 1;
      if (pattern[lit] == text[t]) {
        p = lit + 1;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t += utf8_width(static_cast<unsigned char>(text[star_t]));
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

result<datum> round_value(const datum& value, std::int64_t digits) {
  if (is_null(value)) return value;
  if (digits < 0 || digits > decimal::max_scale) {
    return out_of_range("round() takes 0 to 38 digits, not " + std::to_string(digits));
  }
  if (std::holds_alternative<std::int64_t>(value)) return value;
  if (const auto* d = std::get_if<decimal>(&value)) {
    int scale = static_cast<int>(digits);
    if (scale >= d->scale()) {
      // Nothing to round: pad with zeros as far as DECIMAL's 38 digits allow.
      int integer_digits = std::max(0, d->digits() - d->scale());
      scale = std::min(scale, decimal::max_precision - integer_digits);
      if (scale <= d->scale()) return value;
    }
    auto r = d->rescale(scale);
    if (!r) return r.err();
    return datum(*r);
  }
  double x = std::get<double>(value);
  if (!std::isfinite(x)) return value;
  double scale = std::pow(10.0, static_cast<double>(digits));
  double scaled = x * scale;
  if (!std::isfinite(scaled)) return value;
  return datum(std::round(scaled) / scale);
}

result<datum> abs_value(const datum& value) {
  if (is_null(value)) return value;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    if (*i >= 0) return value;
    return negate(value);
  }
  if (const auto* x = std::get_if<double>(&value)) return datum(std::fabs(*x));
  const auto& d = std::get<decimal>(value);
  return datum(d.sign() < 0 ? d.negate() : d);
}

}  // namespace meridian::query
