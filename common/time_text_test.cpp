// TIMESTAMP text round-trips exactly, rejects impossible dates, and intervals parse with units.
#include "common/time_text.hpp"

#include <doctest/doctest.h>

using namespace meridian;

TEST_CASE("timestamp text: epoch, fractions, negatives and leap days round-trip") {
  CHECK(format_timestamp(0) == "1970-01-01 00:00:00");
  CHECK(parse_timestamp("1970-01-01 00:00:00").value() == 0);
  CHECK(parse_timestamp("2024-02-29 12:34:56.789").value() == 1709210096789000);
  CHECK(format_timestamp(1709210096789000) == "2024-02-29 12:34:56.789");
  CHECK(format_timestamp(-1) == "1969-12-31 23:59:59.999999");
  CHECK(parse_timestamp("1969-12-31 23:59:59.999999").value() == -1);
  CHECK(parse_timestamp("2024-01-02").value() == parse_timestamp("2024-01-02 00:00:00").value());
  CHECK(parse_timestamp("2024-01-02T03:04:05Z").value() ==
        parse_timestamp("2024-01-02 03:04:05").value());
  for (std::int64_t t : {std::int64_t{1}, std::int64_t{86'399'999'999}, std::int64_t{4'102'444'800'000'000}}) {
    CHECK(parse_timestamp(format_timestamp(t)).value() == t);
  }
}

TEST_CASE("timestamp text: impossible dates are errors naming the text") {
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-01-32 00:00:00", "2024-01-01 24:00:00",
                          "yesterday", "2024-1-1", "2024-01-01 10:00", "2024-01-01 10:00:00.1234567"}) {
    auto r = parse_timestamp(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code() == errc::sql_invalid_value);
    CHECK(r.err().message().find(bad) != std::string::npos);
  }
}

TEST_CASE("intervals: units and signs") {
  CHECK(parse_interval_micros("-10s").value() == -10'000'000);
  CHECK(parse_interval_micros("-250ms").value() == -250'000);
  CHECK(parse_interval_micros("-1.5m").value() == -90'000'000);
  CHECK(parse_interval_micros("2h").value() == 7'200'000'000);
  CHECK_FALSE(parse_interval_micros("-10 parsecs").ok());
  CHECK_FALSE(parse_interval_micros("soon").ok());
}

TEST_CASE("intervals: only plain decimal numbers, and within range (no overflow into the past)") {
  for (const char* bad : {"+infs", "-infs", "nan", "+0x7fffffffffffffffh", "1e3s", "-1..5s",
                          "-.s", "+1e300s", "- 5s"}) {
    auto r = parse_interval_micros(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code() == errc::sql_invalid_value);
  }
  auto far = parse_interval_micros("-100000000h");  // 11,400 years
  REQUIRE_FALSE(far.ok());
  CHECK(far.err().message().find("out of range") != std::string::npos);
  CHECK(parse_interval_micros("-.5s").value() == -500'000);
  CHECK(parse_interval_micros("-8760000h").value() == -8760000LL * 3'600'000'000LL);  // 1,000 years
}
