// Exact decimal arithmetic for DECIMAL(p,s); see common/decimal.hpp. Overflow is detected with
// the compiler's checked-arithmetic builtins and reported as sql_out_of_range, never wrapped.
#include "common/decimal.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace meridian {
namespace {

constexpr __int128 limit_38 = []() {
  __int128 v = 1;
  for (int i = 0; i < 38; ++i) v *= 10;
  return v;
}();

error out_of_range(const std::string& what) {
  return error(errc::sql_out_of_range, "DECIMAL " + what + " exceeds 38 digits");
}

bool fits(__int128 v) { return v < limit_38 && v > -limit_38; }

// Divides rounding half away from zero. REQUIRES: d != 0.
__int128 div_round(__int128 n, __int128 d) {
  __int128 q = n / d;
  __int128 r = n % d;
  __int128 abs_r = r < 0 ? -r : r;
  __int128 abs_d = d < 0 ? -d : d;
  if (abs_r * 2 >= abs_d) q += ((n < 0) != (d < 0)) ? -1 : 1;
  return q;
}

// Brings both operands to the larger scale.
bool align(const decimal& a, const decimal& b, __int128& ua, __int128& ub, int& scale) {
  scale = std::max(a.scale(), b.scale());
  ua = a.unscaled();
  ub = b.unscaled();
  if (__builtin_mul_overflow(ua, pow10_i128(scale - a.scale()), &ua)) return false;
  if (__builtin_mul_overflow(ub, pow10_i128(scale - b.scale()), &ub)) return false;
  return true;
}

}  // namespace

__int128 pow10_i128(int n) {
  MERIDIAN_ASSERT(n >= 0 && n <= 38, "pow10 out of range: " + std::to_string(n));
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

std::string i128_to_string(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? static_cast<unsigned __int128>(-(v + 1)) + 1
                                 : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

decimal::decimal(__int128 unscaled, int scale) : unscaled_(unscaled), scale_(scale) {
  MERIDIAN_ASSERT(scale >= 0 && scale <= max_scale, "decimal scale " + std::to_string(scale));
  MERIDIAN_ASSERT(fits(unscaled), "decimal unscaled value beyond 38 digits");
}

result<decimal> decimal::parse(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  __int128 value = 0;
  int scale = 0;
  int digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (char c : s) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      return error(errc::sql_invalid_value,
                   "'" + std::string(text) + "' is not a valid DECIMAL number");
    }
    seen_digit = true;
    if (value != 0 || c != '0') ++digits;
    if (digits > max_precision || (seen_point && scale >= max_scale)) {
      return out_of_range("'" + std::string(text) + "'");
    }
    value = value * 10 + (c - '0');
    if (seen_point) ++scale;
  }
  if (!seen_digit) {
    return error(errc::sql_invalid_value,
                 "'" + std::string(text) + "' is not a valid DECIMAL number");
  }
  return decimal(negative ? -value : value, scale);
}

int decimal::digits() const {
  __int128 v = unscaled_ < 0 ? -unscaled_ : unscaled_;
  int n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

std::string decimal::to_string() const {
  std::string digits_text = i128_to_string(unscaled_ < 0 ? -unscaled_ : unscaled_);
  if (scale_ > 0) {
    if (static_cast<int>(digits_text.size()) <= scale_) {
      digits_text.insert(0, static_cast<std::size_t>(scale_ + 1) - digits_text.size(), '0');
    }
    digits_text.insert(digits_text.size() - static_cast<std::size_t>(scale_), ".");
  }
  return unscaled_ < 0 ? "-" + digits_text : digits_text;
}

double decimal::to_double() const {
  return std::strtod(to_string().c_str(), nullptr);
}

result<std::int64_t> decimal::to_int64() const {
  __int128 whole = unscaled_ / pow10_i128(scale_);
  if (whole > std::numeric_limits<std::int64_t>::max() ||
      whole < std::numeric_limits<std::int64_t>::min()) {
    return error(errc::sql_out_of_range, to_string() + " does not fit in BIGINT");
  }
  return static_cast<std::int64_t>(whole);
}

result<decimal> decimal::rescale(int new_scale, int precision) const {
  if (new_scale < 0 || new_scale > max_scale) {
    return error(errc::sql_out_of_range, "DECIMAL scale " + std::to_string(new_scale));
  }
  __int128 v = unscaled_;
  if (new_scale >= scale_) {
    if (__builtin_mul_overflow(v, pow10_i128(new_scale - scale_), &v) || !fits(v)) {
      return out_of_range(to_string());
    }
  } else {
    v = div_round(v, pow10_i128(scale_ - new_scale));
  }
  decimal out(v, new_scale);
  if (out.digits() > precision && v != 0) {
    return error(errc::sql_out_of_range,
                 to_string() + " does not fit in DECIMAL(" + std::to_string(precision) + "," +
                     std::to_string(new_scale) + ")");
  }
  return out;
}

decimal decimal::normalized() const {
  __int128 v = unscaled_;
  int s = scale_;
  while (s > 0 && v % 10 == 0) {
    v /= 10;
    --s;
  }
  return decimal(v, s);
}

result<decimal> decimal::add(const decimal& o) const {
  __int128 a, b, sum;
  int scale;
  if (!align(*this, o, a, b, scale) || __builtin_add_overflow(a, b, &sum) || !fits(sum)) {
    return out_of_range(to_string() + " + " + o.to_string());
  }
  return decimal(sum, scale);
}

result<decimal> decimal::sub(const decimal& o) const { return add(o.negate()); }

result<decimal> decimal::mul(const decimal& o) const {
  __int128 product;
  if (__builtin_mul_overflow(unscaled_, o.unscaled_, &product)) {
    return out_of_range(to_string() + " * " + o.to_string());
  }
  int scale = scale_ + o.scale_;
  if (scale > max_scale) {
    product = div_round(product, pow10_i128(scale - max_scale));
    scale = max_scale;
  }
  if (!fits(product)) return out_of_range(to_string() + " * " + o.to_string());
  return decimal(product, scale);
}

result<decimal> decimal::div(const decimal& o) const {
  if (o.unscaled_ == 0) return error(errc::sql_division_by_zero, "division by zero");
  int scale = std::min(max_scale, std::max(scale_, o.scale_) + division_extra_scale);
  // this / o = (u1 / 10^s1) / (u2 / 10^s2); scaled by 10^scale: u1 * 10^(scale + s2 - s1) / u2.
  int shift = scale + o.scale_ - scale_;
  __int128 numerator = unscaled_;
  __int128 denominator = o.unscaled_;
  if (shift >= 0) {
    if (shift > 38 || __builtin_mul_overflow(numerator, pow10_i128(shift), &numerator)) {
      return out_of_range(to_string() + " / " + o.to_string());
    }
  } else if (__builtin_mul_overflow(denominator, pow10_i128(-shift), &denominator)) {
    return out_of_range(to_string() + " / " + o.to_string());
  }
  __int128 q = div_round(numerator, denominator);
  if (!fits(q)) return out_of_range(to_string() + " / " + o.to_string());
  return decimal(q, scale);
}

result<decimal> decimal::mod(const decimal& o) const {
  if (o.unscaled_ == 0) return error(errc::sql_division_by_zero, "division by zero");
  __int128 a, b;
  int scale;
  if (!align(*this, o, a, b, scale)) return out_of_range(to_string() + " % " + o.to_string());
  return decimal(a % b, scale);
}

int compare(const decimal& a, const decimal& b) {
  if (a.sign() != b.sign()) return a.sign() < b.sign() ? -1 : 1;
  // Same sign: compare whole parts, then fractions brought to a common scale. Fractions are
  // below 10^scale <= 10^38 and scaling them to 38 digits cannot overflow 128 bits.
  __int128 whole_a = a.unscaled() / pow10_i128(a.scale());
  __int128 whole_b = b.unscaled() / pow10_i128(b.scale());
  if (whole_a != whole_b) return whole_a < whole_b ? -1 : 1;
  __int128 frac_a = (a.unscaled() % pow10_i128(a.scale())) * pow10_i128(38 - a.scale());
  __int128 frac_b = (b.unscaled() % pow10_i128(b.scale())) * pow10_i128(38 - b.scale());
  if (frac_a != frac_b) return frac_a < frac_b ? -1 : 1;
  return 0;
}

}  // namespace meridian
