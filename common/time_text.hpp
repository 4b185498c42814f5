// TIMESTAMP text: 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' in UTC (an optional 'T' separator and a
// trailing 'Z' are accepted), to and from microseconds since the Unix epoch. Also the parser of
// relative intervals used by AS OF SYSTEM TIME ('-10s', '-1.5m', '-250ms'). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace meridian {

std::string format_timestamp(std::int64_t micros);
// Fails with errc::sql_invalid_value naming the text.
result<std::int64_t> parse_timestamp(std::string_view text);
// '-10s' -> -10,000,000 µs. Units: us, ms, s, m, h. Fails with errc::sql_invalid_value.
result<std::int64_t> parse_interval_micros(std::string_view text);

}  // namespace meridian
