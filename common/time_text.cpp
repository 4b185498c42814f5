// TIMESTAMP text conversion (Howard Hinnant's days-from-civil algorithm); see time_text.hpp.
#include "common/time_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace meridian {
namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

error bad_timestamp(std::string_view text) {
  return error(errc::sql_invalid_value,
               "'" + std::string(text) +
                   "' is not a valid TIMESTAMP (expected 'YYYY-MM-DD HH:MM:SS[.ffffff]', UTC)");
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace

std::string format_timestamp(std::int64_t micros) {
  std::int64_t secs = micros >= 0 ? micros / 1'000'000 : -((-micros + 999'999) / 1'000'000);
  std::int64_t frac = micros - secs * 1'000'000;
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
    while (out.back() == '0') out.pop_back();
  }
  return out;
}

result<std::int64_t> parse_timestamp(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == 'Z')) s.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d)) {
    return bad_timestamp(text);
  }
  std::int64_t frac = 0;
  if (s.size() > 10) {
    if ((s[10] != ' ' && s[10] != 'T') || !digits(s, 11, 2, h) || s.size() < 19 || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
      return bad_timestamp(text);
    }
    if (s.size() > 19) {
      if (s[19] != '.' || s.size() == 20 || s.size() > 26) return bad_timestamp(text);
      int f = 0;
      if (!digits(s, 20, s.size() - 20, f)) return bad_timestamp(text);
      frac = f;
      for (std::size_t n = s.size() - 20; n < 6; ++n) frac *= 10;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo) || h > 23 ||
      mi > 59 || se > 59) {
    return bad_timestamp(text);
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + se) * 1'000'000) + frac;
}

result<std::int64_t> parse_interval_micros(std::string_view text) {
  std::string s(text);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  auto invalid = [&] {
    return error(errc::sql_invalid_value,
                 "'" + std::string(text) + "' is not an interval such as '-10s' or '-250ms'");
  };
  // A sign, digits and at most one decimal point: strtod alone would also take "inf", "nan",
  // hexadecimal and exponents, whose values need not fit.
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::size_t digits = 0, points = 0;
  for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'); ++i) {
    (s[i] == '.' ? points : digits) += 1;
  }
  if (digits == 0 || points > 1) return invalid();
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + i) return invalid();
  std::string unit(end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double scale = 0;
  if (unit == "us") scale = 1;
  if (unit == "ms") scale = 1e3;
  if (unit == "s" || unit.empty()) scale = 1e6;
  if (unit == "m" || unit == "min") scale = 60e6;
  if (unit == "h") scale = 3600e6;
  if (scale == 0) return invalid();
  double micros = value * scale;
  // A year 10,000 years long is past any timestamp; the bound keeps the conversion defined.
  constexpr double limit = 1e17;
  if (!(std::fabs(micros) < limit)) {
    return error(errc::sql_invalid_value,
                 "the interval '" + std::string(text) + "' is out of range (at most about " +
                     "3,000 years either way)");
  }
  return static_cast<std::int64_t>(micros);
}

}  // namespace meridian
