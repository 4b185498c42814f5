// Keys as a person reads them (shard boundaries in `\cluster`), in CockroachDB's path style:
//   ("t", 1, "r", 'eu-west', 7)          -> /orders/'eu-west'/7
//   ("t", 1, "i", 2, 'Ada')              -> /orders/index 2/'Ada'
//   ("t", 1)                             -> /orders
//   ("m", "table", 'orders')             -> /catalog/table/'orders'
//   prefix_end of any of those           -> the same path, then /PrefixEnd (just past every key
//                                           that starts with it)
// A table id with no name in `tables` shows as "table N"; bytes that are not an encoded tuple
// (raw KV keys) show as txn::printable_key does. Pure; never fails.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace meridian::query {

std::string describe_key(std::string_view key, const std::map<std::int64_t, std::string>& tables);

}  // namespace meridian::query
