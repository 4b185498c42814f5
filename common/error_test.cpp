// The error catalogue is a public contract: every code has one row, names are unique, and the
// printed form carries the code, the name and the retry hint.
#include "common/error.hpp"

#include <doctest/doctest.h>

#include <set>

#include "common/result.hpp"

using namespace meridian;

TEST_CASE("error catalogue: codes and names are unique and every row is reachable") {
  std::set<int> numbers;
  std::set<std::string_view> names;
  for (const auto& row : all_error_infos()) {
    CHECK(numbers.insert(static_cast<int>(row.code)).second);
    CHECK(names.insert(row.name).second);
    CHECK(&info(row.code) != nullptr);
    CHECK(info(row.code).name == row.name);
    CHECK(!row.summary.empty());
  }
  CHECK(info(errc::write_conflict).retryable);
  CHECK_FALSE(info(errc::sql_syntax).retryable);
}

TEST_CASE("error: printed form shows code, name, message and retry hint") {
  error e(errc::key_too_large, "key of 900 bytes exceeds the limit of 400 bytes");
  CHECK(e.to_string() ==
        "E2001 key_too_large: key of 900 bytes exceeds the limit of 400 bytes (retry will not "
        "help)");
  CHECK(error(errc::unavailable, "").to_string().find("retry may help") != std::string::npos);
  // A blind retry of an UPDATE whose outcome is unknown could apply it twice.
  CHECK(error(errc::outcome_unknown, "x").to_string() ==
        "E3006 outcome_unknown: x (it may have taken effect: check before retrying)");
}

TEST_CASE("result: carries a value or an error, and MERIDIAN_TRY propagates") {
  auto fails = []() -> status { return error(errc::timeout, "late"); };
  auto wraps = [&]() -> result<int> {
    MERIDIAN_TRY(fails());
    return 1;
  };
  auto r = wraps();
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::timeout);
  result<int> good = 5;
  CHECK(*good == 5);
}

TEST_CASE("error: the retry hint stays on the first line of a multi-line message") {
  error e(errc::sql_syntax, "line 1, column 8: expected a name\n  SELECT ,\n         ^");
  CHECK(e.to_string() ==
        "E5001 sql_syntax: line 1, column 8: expected a name (retry will not help)\n"
        "  SELECT ,\n         ^");
}
