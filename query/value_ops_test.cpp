// Runtime value rules: checked integer arithmetic, exact decimals, promotion to DOUBLE,
// comparisons across numeric types, casts, conversion on write, LIKE, round and the gen_id
// generator.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "query/id_generator.hpp"
#include "query/type_rules.hpp"
#include "query/value_ops.hpp"

namespace meridian::query {
namespace {

datum dec(const char* text) { return datum(*decimal::parse(text)); }
datum i64(std::int64_t v) { return datum(v); }

TEST_CASE("value ops: integer arithmetic never wraps") {
  CHECK(*arithmetic(sql::binary_op::add, i64(2), i64(3)) == i64(5));
  CHECK(arithmetic(sql::binary_op::add, i64(INT64_MAX), i64(1)).err().code() == errc::sql_out_of_range);
  CHECK(arithmetic(sql::binary_op::multiply, i64(INT64_MIN), i64(-1)).err().code() == errc::sql_out_of_range);
  CHECK(arithmetic(sql::binary_op::divide, i64(INT64_MIN), i64(-1)).err().code() == errc::sql_out_of_range);
  CHECK(*arithmetic(sql::binary_op::modulo, i64(INT64_MIN), i64(-1)) == i64(0));
  CHECK(arithmetic(sql::binary_op::divide, i64(1), i64(0)).err().code() == errc::sql_division_by_zero);
  CHECK(negate(i64(INT64_MIN)).err().code() == errc::sql_out_of_range);
  CHECK(is_null(*arithmetic(sql::binary_op::add, i64(1), datum(null_value{}))));
}

TEST_CASE("value ops: BIGINT with DECIMAL stays exact, anything with DOUBLE is DOUBLE") {
  auto r = arithmetic(sql::binary_op::add, i64(1), dec("0.10"));
  REQUIRE(r.ok());
  CHECK(std::get<decimal>(*r).to_string() == "1.10");
  auto d = arithmetic(sql::binary_op::multiply, dec("1.5"), datum(2.0));
  REQUIRE(d.ok());
  CHECK(std::holds_alternative<double>(*d));
  CHECK(std::get<double>(*d) == 3.0);
  auto type = arithmetic_type(sql::binary_op::divide, sql_type::decimal(10, 2), sql_type::bigint());
  REQUIRE(type.has_value());
  CHECK(type->to_string() == "DECIMAL(38,8)");
  CHECK_FALSE(arithmetic_type(sql::binary_op::add, sql_type::text(), sql_type::bigint()).has_value());
  CHECK(arithmetic_type(sql::binary_op::add, sql_type::bigint(), sql_type::double_())->id == type_id::double_);
}

TEST_CASE("value ops: numbers compare by value across types") {
  CHECK(compare_values(i64(1), dec("1.00")) == 0);
  CHECK(compare_values(i64(2), datum(1.5)) > 0);
  CHECK(compare_values(dec("0.1"), datum(0.25)) < 0);
  CHECK(compare_values(i64(INT64_MAX), datum(9.3e18)) < 0);
  CHECK(compare_values(datum(std::nan("")), datum(1e308)) > 0);
  CHECK(compare_for_sort(datum(null_value{}), i64(INT64_MIN)) < 0);
  CHECK(comparable(sql_type::decimal(5, 2), sql_type::double_()));
  CHECK_FALSE(comparable(sql_type::text(), sql_type::bigint()));
  CHECK(comparable(sql_type::varchar(3), sql_type::text()));
}

TEST_CASE("value ops: casts round (DECIMAL half away from zero, DOUBLE ties to even) and check ranges") {
  CHECK(*cast_value(dec("2.5"), sql_type::bigint()) == i64(3));
  CHECK(*cast_value(dec("-2.5"), sql_type::bigint()) == i64(-3));
  CHECK(*cast_value(datum(2.5), sql_type::bigint()) == i64(2));  // PostgreSQL's float8 to bigint
  CHECK(*cast_value(datum(3.5), sql_type::bigint()) == i64(4));
  CHECK(*cast_value(datum(-2.5), sql_type::bigint()) == i64(-2));
  CHECK(cast_value(datum(1e20), sql_type::bigint()).err().code() == errc::sql_out_of_range);
  CHECK(std::get<decimal>(*cast_value(datum(0.1), sql_type::decimal(5, 3))).to_string() == "0.100");
  CHECK(std::get<decimal>(*cast_value(datum(-1234.5678), sql_type::decimal(8, 2))).to_string() == "-1234.57");
  CHECK(cast_value(datum(1e30), sql_type::decimal(38, 0)).ok());
  CHECK(cast_value(datum(1e40), sql_type::decimal(38, 0)).err().code() == errc::sql_out_of_range);
  CHECK(*cast_value(datum(std::string(" 17 ")), sql_type::bigint()) == i64(17));
  CHECK(cast_value(datum(std::string("9223372036854775808")), sql_type::bigint()).err().code() ==
        errc::sql_out_of_range);
  CHECK(cast_value(datum(std::string("1x")), sql_type::double_()).err().code() == errc::sql_invalid_value);
  CHECK(*cast_value(datum(std::string("off")), sql_type::boolean()) == datum(false));
  CHECK(*cast_value(i64(12), sql_type::text()) == datum(std::string("12")));
  CHECK(*cast_value(datum(std::string("héllo")), sql_type::varchar(2)) == datum(std::string("hé")));
  CHECK_FALSE(castable(sql_type::boolean(), sql_type::timestamp()));
  CHECK(castable(sql_type::text(), sql_type::timestamp()));
}

TEST_CASE("value ops: values are converted to the column's type on write") {
  auto money = store_value(dec("1.005"), sql_type::decimal(10, 2), "amount");
  REQUIRE(money.ok());
  CHECK(std::get<decimal>(*money).to_string() == "1.01");
  CHECK(std::get<decimal>(*store_value(i64(3), sql_type::decimal(4, 1), "x")).to_string() == "3.0");
  CHECK(store_value(i64(1000), sql_type::decimal(4, 1), "x").err().code() == errc::sql_out_of_range);
  CHECK(std::get<double>(*store_value(dec("0.5"), sql_type::double_(), "x")) == 0.5);
  CHECK(store_value(datum(std::string("abcd")), sql_type::varchar(3), "x").err().code() ==
        errc::sql_invalid_value);
  CHECK(store_value(datum(1.5), sql_type::bigint(), "x").err().code() == errc::sql_type_mismatch);
  CHECK(assignable(sql_type::bigint(), sql_type::decimal(5, 2)));
  CHECK_FALSE(assignable(sql_type::decimal(5, 2), sql_type::bigint()));
  CHECK_FALSE(assignable(sql_type::double_(), sql_type::decimal(5, 2)));
}

TEST_CASE("value ops: LIKE") {
  CHECK(*like_match("abc", "a%"));
  CHECK(*like_match("abc", "%c"));
  CHECK(*like_match("abc", "_b_"));
  CHECK_FALSE(*like_match("abc", "_b"));
  CHECK(*like_match("", "%"));
  CHECK_FALSE(*like_match("", "_"));
  CHECK(*like_match("a%c", "a\\%c"));
  CHECK_FALSE(*like_match("abc", "a\\%c"));
  CHECK(*like_match("xaaab", "%a%b"));
  CHECK(*like_match("héllo", "h_llo"));
  CHECK(*like_match("mississippi", "%iss%ppi"));
  CHECK_FALSE(*like_match("mississippi", "%iss%ppx"));
  CHECK(*like_match("a\\", "a\\\\"));  // \\ is a literal backslash
  auto dangling = like_match("a\\", "a\\");
  REQUIRE_FALSE(dangling.ok());  // PostgreSQL: "LIKE pattern must not end with escape character"
  CHECK(dangling.err().code() == errc::sql_invalid_value);
}

TEST_CASE("value ops: round and abs") {
  CHECK(std::get<decimal>(*round_value(dec("2.345"), 2)).to_string() == "2.35");
  CHECK(std::get<decimal>(*round_value(dec("-2.345"), 2)).to_string() == "-2.35");
  CHECK(std::get<decimal>(*round_value(dec("2.5"), 0)).to_string() == "3");
  CHECK(std::get<double>(*round_value(datum(-2.5), 0)) == -3.0);
  CHECK(*round_value(i64(7), 2) == i64(7));
  CHECK(abs_value(i64(INT64_MIN)).err().code() == errc::sql_out_of_range);
  CHECK(std::get<decimal>(*abs_value(dec("-0.5"))).to_string() == "0.5");
}

TEST_CASE("gen_id: unique, increasing, positive, salted") {
  id_generator a(1), b(2);
  std::set<std::int64_t> seen;
  std::int64_t last = 0;
  // 10,000 ids in one millisecond: the sequence overflows and borrows the next milliseconds.
  for (int i = 0; i < 10000; ++i) {
    std::int64_t id = a.next(1'800'000'000'000);
    CHECK(id > last);
    last = id;
    seen.insert(id);
    seen.insert(b.next(1'800'000'000'000));
  }
  CHECK(seen.size() == 20000);
  // A clock that goes backwards does not repeat ids.
  std::int64_t before = a.next(1'800'000'000'000);
  CHECK(a.next(1'700'000'000'000) > before);
}

}  // namespace
}  // namespace meridian::query
