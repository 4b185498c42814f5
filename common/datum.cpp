// Ordering and printing of datums; see common/datum.hpp.
#include "common/datum.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace meridian {
namespace {

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_double(double a, double b) {
  bool nan_a = std::isnan(a);
  bool nan_b = std::isnan(b);
  if (nan_a || nan_b) return nan_a == nan_b ? 0 : (nan_a ? 1 : -1);
  return three_way(a, b);
}

}  // namespace

int compare(const datum& a, const datum& b) {
  if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
  switch (a.index()) {
    case 0:
      return 0;
    case 1:
      return three_way(std::get<bool>(a), std::get<bool>(b));
    case 2:
      return three_way(std::get<std::int64_t>(a), std::get<std::int64_t>(b));
    case 3:
      return three_way(std::get<std::uint64_t>(a), std::get<std::uint64_t>(b));
    case 4:
      return compare_double(std::get<double>(a), std::get<double>(b));
    case 5:
      return compare(std::get<decimal>(a), std::get<decimal>(b));
    case 6:
      return three_way(std::get<timestamp_value>(a).micros, std::get<timestamp_value>(b).micros);
    case 7:
      return three_way(std::get<std::string>(a), std::get<std::string>(b));
    default:
      return three_way(std::get<bytes_value>(a).data, std::get<bytes_value>(b).data);
  }
}

int compare(const tuple& a, const tuple& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = compare(a[i], b[i]); c != 0) return c;
  }
  return three_way(a.size(), b.size());
}

bool datum_equal(const datum& a, const datum& b) { return compare(a, b) == 0; }

std::string double_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round trip
  if (ec != std::errc()) {
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  return std::string(buf, end);
}

std::string debug_string(const datum& d) {
  switch (d.index()) {
    case 0:
      return "NULL";
    case 1:
      return std::get<bool>(d) ? "true" : "false";
    case 2:
      return std::to_string(std::get<std::int64_t>(d));
    case 3:
      return std::to_string(std::get<std::uint64_t>(d)) + "u";
    case 4: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(d));
      return buf;
    }
    case 5:
      return std::get<decimal>(d).to_string();
    case 6:
      return "ts:" + std::to_string(std::get<timestamp_value>(d).micros);
    case 7:
      return "'" + std::get<std::string>(d) + "'";
    default: {
      std::string out = "x'";
      static const char* hex = "0123456789abcdef";
      for (unsigned char c : std::get<bytes_value>(d).data) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
      return out + "'";
    }
  }
}

}  // namespace meridian
