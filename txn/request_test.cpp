// Request validation shared by the commands: timestamps, keys and ttls are checked before any
// key is touched.
#include "txn/request.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"

using namespace meridian;
using namespace meridian::txn;

TEST_CASE("request: start_ts 0, a commit_ts not above start_ts and long ttls are refused") {
  CHECK(validate_start_ts(0).err().code() == errc::invalid_argument);
  CHECK(validate_start_ts(1).ok());
  CHECK(validate_commit_ts(10, 10).err().code() == errc::invalid_argument);
  CHECK(validate_commit_ts(10, 9).err().code() == errc::invalid_argument);
  CHECK(validate_commit_ts(10, 11).ok());
  CHECK(validate_ttl(max_lock_ttl_ms).ok());
  CHECK(validate_ttl(max_lock_ttl_ms + 1).err().code() == errc::limit_exceeded);
}

TEST_CASE("request: keys must be present, distinct and within limits") {
  CHECK(validate_keys({"a", "b"}).ok());
  CHECK(validate_keys({}).err().code() == errc::invalid_argument);
  auto twice = validate_keys({"a", "b", "a"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.err().message().find("'a'") != std::string::npos);
  CHECK(validate_keys({std::string(limits::max_key_bytes + 1, 'k')}).err().code() ==
        errc::key_too_large);
  std::vector<std::string> many;
  for (std::size_t i = 0; i <= max_keys_per_command; ++i) many.push_back(std::to_string(i));
  CHECK(validate_keys(many).err().code() == errc::limit_exceeded);
  many.pop_back();
  CHECK(validate_keys(many).ok());
}
