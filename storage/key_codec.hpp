// Order-preserving key encoding ("memcomparable"): for any two tuples a and b,
// compare(a, b) == memcmp-order of encode(a) and encode(b), and decode(encode(a)) == a.
// Also the byte-string encoding MVCC keys use, and the timestamp suffix that makes newer versions
// of a key sort first. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/datum.hpp"
#include "common/result.hpp"

namespace meridian::storage::codec {

// One tag byte per alternative of `datum`, in the variant's order, so that values of different
// types order the way compare(datum, datum) orders them.
enum tag : std::uint8_t {
  tag_null = 0x01,
  tag_bool = 0x02,
  tag_int64 = 0x03,
  tag_uint64 = 0x04,
  tag_double = 0x05,
  tag_decimal = 0x06,
  tag_timestamp = 0x07,
  tag_string = 0x08,
  tag_bytes = 0x09,
};

void append(std::string& out, const datum& value);
std::string encode(const tuple& values);
void append_tuple(std::string& out, const tuple& values);

// Decodes one value from the front of `in` and advances `in` past it.
result<datum> read_datum(std::string_view& in);
// Decodes a whole tuple; fails with storage_corrupt on malformed input (never crashes).
result<tuple> decode(std::string_view in);

// Byte strings in groups of 8 bytes plus a marker byte (TiKV's memcomparable bytes): the result
// orders like the input, no encoding is a prefix of another, and the size is at most
// 9/8 * n + 9 bytes, which matters under LMDB's 511-byte key limit.
void append_ordered_bytes(std::string& out, std::string_view raw);
std::size_t ordered_bytes_size(std::size_t raw_bytes);
result<std::string> read_ordered_bytes(std::string_view& in);

// Timestamps appended big-endian and bit-inverted: for one key, newer versions sort first.
void append_ts_desc(std::string& out, std::uint64_t ts);
std::uint64_t decode_ts_desc(std::string_view eight_bytes);

// Fixed-width big-endian integers (used where order and fixed size both matter).
void append_u64_be(std::string& out, std::uint64_t v);
std::uint64_t decode_u64_be(std::string_view eight_bytes);

// The smallest key greater than every key that starts with `prefix` (empty = no upper bound).
std::string prefix_end(std::string_view prefix);

}  // namespace meridian::storage::codec
