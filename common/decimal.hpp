// DECIMAL: an exact decimal number, unscaled 128-bit integer times 10^-scale, up to 38 digits
// (the largest precision whose values all fit in a signed 128-bit integer). Money must not
// drift, so no operation here goes through binary floating point. Pure value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace meridian {

class decimal {
 public:
  static constexpr int max_precision = 38;
  static constexpr int max_scale = 38;
  // Digits kept after the point by a division whose operands' scales are smaller.
  static constexpr int division_extra_scale = 6;

  decimal() = default;
  // REQUIRES: 0 <= scale <= max_scale and |unscaled| < 10^38.
  decimal(__int128 unscaled, int scale);

  static decimal from_int(std::int64_t v) { return decimal(v, 0); }
  // Parses "-12.340", "+5", ".5", "1e3" is not accepted (use DOUBLE for exponents).
  static result<decimal> parse(std::string_view text);

  __int128 unscaled() const { return unscaled_; }
  int scale() const { return scale_; }
  int sign() const { return unscaled_ < 0 ? -1 : (unscaled_ > 0 ? 1 : 0); }
  // Number of significant digits of the unscaled value (0 has one digit).
  int digits() const;

  std::string to_string() const;
  double to_double() const;
  // Truncates toward zero; fails when the value does not fit in int64.
  result<std::int64_t> to_int64() const;

  // Value with exactly `new_scale` digits after the point, rounding half away from zero.
  // Fails with sql_out_of_range when it needs more than `precision` digits in all.
  result<decimal> rescale(int new_scale, int precision = max_precision) const;
  // The same value with trailing fractional zeros removed (12.500 -> 12.5).
  decimal normalized() const;

  result<decimal> add(const decimal& o) const;
  result<decimal> sub(const decimal& o) const;
  result<decimal> mul(const decimal& o) const;
  // Result scale: max(scale, o.scale) + division_extra_scale, capped at max_scale; rounds half
  // away from zero. Dividing by zero fails with sql_division_by_zero.
  result<decimal> div(const decimal& o) const;
  result<decimal> mod(const decimal& o) const;
  decimal negate() const { return decimal(-unscaled_, scale_); }

  // Value comparison: 1.50 == 1.5.
  friend int compare(const decimal& a, const decimal& b);
  friend bool operator==(const decimal& a, const decimal& b) { return compare(a, b) == 0; }
  friend bool operator!=(const decimal& a, const decimal& b) { return compare(a, b) != 0; }
  friend bool operator<(const decimal& a, const decimal& b) { return compare(a, b) < 0; }
  friend bool operator>(const decimal& a, const decimal& b) { return compare(a, b) > 0; }
  friend bool operator<=(const decimal& a, const decimal& b) { return compare(a, b) <= 0; }
  friend bool operator>=(const decimal& a, const decimal& b) { return compare(a, b) >= 0; }

 private:
  __int128 unscaled_ = 0;
  int scale_ = 0;
};

// 10^n for 0 <= n <= 38.
__int128 pow10_i128(int n);
std::string i128_to_string(__int128 v);

}  // namespace meridian
