// The stored form of a table descriptor (the value under the catalog key ("m", "table",
// name)): a format byte, then the fields in a fixed order with varints and length-prefixed
// strings. Decoding validates everything it reads, so a corrupt catalog value is an error
// (storage_corrupt), never a crash. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "query/descriptor.hpp"

namespace meridian::query {

std::string encode_descriptor(const table_descriptor& table);
result<table_descriptor> decode_descriptor(std::string_view encoded);
// Only the table id and schema version (cheap: lets a session reuse a cached decoded
// descriptor while both are unchanged).
struct descriptor_header {
  std::int64_t id = 0;
  std::uint64_t version = 0;
};
result<descriptor_header> read_descriptor_header(std::string_view encoded);

}  // namespace meridian::query
