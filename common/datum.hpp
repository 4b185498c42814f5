// datum: one typed value, as stored in keys (storage/key_codec) and rows (query/). The variant's
// alternatives are declared in the order values of different types sort in an encoded key, so
// compare() and the key codec agree by construction. Pure value type.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/decimal.hpp"

namespace meridian {

struct null_value {
  friend bool operator==(null_value, null_value) { return true; }
};

// TIMESTAMP: microseconds since the Unix epoch, UTC.
struct timestamp_value {
  std::int64_t micros = 0;
  friend bool operator==(timestamp_value a, timestamp_value b) { return a.micros == b.micros; }
};

// Raw bytes, as opposed to text.
struct bytes_value {
  std::string data;
  friend bool operator==(const bytes_value& a, const bytes_value& b) { return a.data == b.data; }
};

using datum = std::variant<null_value, bool, std::int64_t, std::uint64_t, double, decimal,
                           timestamp_value, std::string, bytes_value>;

using tuple = std::vector<datum>;

// Total order used by keys: first by alternative (NULL first), then by value. Doubles order
// -inf < ... < -0 == +0 < ... < +inf < NaN, and all NaNs are equal.
int compare(const datum& a, const datum& b);
int compare(const tuple& a, const tuple& b);
bool datum_equal(const datum& a, const datum& b);

// Human-readable form, for test output and error messages.
std::string debug_string(const datum& d);

// A DOUBLE as SQL shows it: the shortest text that reads back as the same value (PostgreSQL
// 12's rule: 0.1 + 0.2 is 0.30000000000000004, 1e15 + 1 is 1000000000000001), and NaN,
// Infinity, -Infinity.
std::string double_text(double v);

}  // namespace meridian
