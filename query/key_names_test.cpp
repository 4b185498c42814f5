// Shard boundaries as `\cluster` shows them (query::describe_key): rows, index entries, catalog
// keys and range ends (prefix_end) read as table paths, and bytes that are no tuple stay raw.
#include <doctest/doctest.h>

#include "query/key_names.hpp"
#include "query/keys.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

const std::map<std::int64_t, std::string> names{{1, "orders"}, {2, "customers"}};

TEST_CASE("describe_key: rows, indexes and the catalog as paths") {
  CHECK(describe_key(keys::row_key(1, tuple{datum{std::string("eu-west")}, datum{std::int64_t{7}}}),
                     names) == "/orders/'eu-west'/7");
  CHECK(describe_key(keys::table_prefix(2), names) == "/customers");
  CHECK(describe_key(keys::index_prefix(1, 2), names) == "/orders/index 2");
  CHECK(describe_key(keys::table_descriptor_key("orders"), names) == "/catalog/table/'orders'");
  CHECK(describe_key(keys::row_key(9, tuple{datum{std::int64_t{1}}}), names) == "/table 9/1");
}

TEST_CASE("describe_key: a range end reads as the end of what it follows") {
  auto eu = keys::row_key(1, tuple{datum{std::string("eu-west")}});
  CHECK(describe_key(storage::codec::prefix_end(eu), names) == "/orders/'eu-west'/PrefixEnd");
  // The end of table 2 is also where table 3 would begin: the table that exists names it.
  CHECK(describe_key(storage::codec::prefix_end(keys::table_prefix(2)), names) ==
        "/customers/PrefixEnd");
  CHECK(describe_key(storage::codec::prefix_end(keys::table_prefix(1)), names) == "/customers");
}

TEST_CASE("describe_key: quotes and control characters stay readable; raw bytes stay raw") {
  CHECK(describe_key(keys::row_key(1, tuple{datum{std::string("it's\x01")}}), names) ==
        "/orders/'it''s\\x01'");
  CHECK(describe_key("acct/0000001", names) == "acct/0000001");
  CHECK(describe_key(std::string("\xff\x00", 2), names) == "\\xff\\x00");
}

}  // namespace
}  // namespace meridian::query
