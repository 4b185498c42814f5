// DECIMAL is exact: parsing, printing, arithmetic with overflow detection, rounding half away
// from zero, and comparison by value across scales (money must not drift).
#include "common/decimal.hpp"

#include <doctest/doctest.h>

using namespace meridian;

static decimal d(const char* text) { return decimal::parse(text).value(); }

TEST_CASE("decimal: parse and print round-trip") {
  CHECK(d("12.340").to_string() == "12.340");
  CHECK(d("-0.05").to_string() == "-0.05");
  CHECK(d(".5").to_string() == "0.5");
  CHECK(d("+7").to_string() == "7");
  CHECK(d("99999999999999999999999999999999999999").digits() == 38);
  CHECK_FALSE(decimal::parse("999999999999999999999999999999999999999").ok());
  CHECK(decimal::parse("1.2.3").err().code() == errc::sql_invalid_value);
  CHECK(decimal::parse("").err().code() == errc::sql_invalid_value);
  CHECK(decimal::parse("-").err().code() == errc::sql_invalid_value);
  CHECK(decimal::parse("1e5").err().code() == errc::sql_invalid_value);
}

TEST_CASE("decimal: 0.1 + 0.2 is exactly 0.3, a thousand cents make ten units") {
  CHECK(d("0.1").add(d("0.2")).value() == d("0.3"));
  decimal sum = d("0");
  for (int i = 0; i < 1000; ++i) sum = sum.add(d("0.01")).value();
  CHECK(sum == d("10"));
  CHECK(sum.to_string() == "10.00");
}

TEST_CASE("decimal: multiplication, division and modulo") {
  CHECK(d("1.5").mul(d("-2.25")).value().to_string() == "-3.375");
  CHECK(d("10").div(d("4")).value() == d("2.5"));
  CHECK(d("1").div(d("3")).value().to_string() == "0.333333");
  CHECK(d("2").div(d("3")).value().to_string() == "0.666667");
  CHECK(d("-2").div(d("3")).value().to_string() == "-0.666667");
  CHECK(d("1").div(d("0")).err().code() == errc::sql_division_by_zero);
  CHECK(d("7.5").mod(d("2")).value() == d("1.5"));
  CHECK(d("1").mod(d("0.00")).err().code() == errc::sql_division_by_zero);
}

TEST_CASE("decimal: overflow is an error, never a wrap") {
  decimal big = d("99999999999999999999999999999999999999");
  CHECK(big.add(d("1")).err().code() == errc::sql_out_of_range);
  CHECK(big.mul(d("10")).err().code() == errc::sql_out_of_range);
  CHECK(big.negate().sub(d("1")).err().code() == errc::sql_out_of_range);
}

TEST_CASE("decimal: rescale rounds half away from zero and checks precision") {
  CHECK(d("2.345").rescale(2).value().to_string() == "2.35");
  CHECK(d("-2.345").rescale(2).value().to_string() == "-2.35");
  CHECK(d("2.344").rescale(2).value().to_string() == "2.34");
  CHECK(d("5").rescale(2).value().to_string() == "5.00");
  CHECK(d("12345.6").rescale(2, 6).err().code() == errc::sql_out_of_range);
  CHECK(d("1234.5").rescale(2, 6).value().to_string() == "1234.50");
  CHECK(d("12.500").normalized().to_string() == "12.5");
}

TEST_CASE("decimal: comparison is by value across scales") {
  CHECK(d("1.50") == d("1.5"));
  CHECK(d("-1.5") < d("-1.49"));
  CHECK(d("0.001") < d("0.01"));
  CHECK(d("100") > d("99.999"));
  CHECK(compare(d("-0.5"), d("0")) < 0);
  CHECK(d("3").to_int64().value() == 3);
  CHECK(d("-3.9").to_int64().value() == -3);
}
