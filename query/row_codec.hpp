// The row codec: a row's value in the KV store is a format byte followed by (column id, value)
// pairs in increasing column-id order, so a row written before ALTER TABLE ADD COLUMN simply
// lacks the new column and reads the column's stored absent value: adding a column rewrites
// nothing. Values keep their exact type and DECIMAL scale (unlike the key codec, which
// normalizes). Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/byte_io.hpp"
#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/descriptor.hpp"

namespace meridian::query {

using row = std::vector<datum>;

// One value with a type tag (the same encoding the descriptor codec uses for defaults).
void append_value(std::string& out, const datum& value);
// Fails with storage_corrupt on malformed input.
result<datum> read_value(byte_reader& in);

// REQUIRES: values.size() == table.columns.size(), in column order.
std::string encode_row(const table_descriptor& table, const row& values);
// Values in table.columns order; columns the encoding lacks read their absent_value.
// Fails with storage_corrupt on malformed input or an id the table does not have.
result<row> decode_row(const table_descriptor& table, std::string_view encoded);

}  // namespace meridian::query
