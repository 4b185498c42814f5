// Where SQL data lives in the KV keyspace (DESIGN.md "query/"), all built with the storage key
// codec so keys order like their tuples:
//   ("m", "table", name)                  -> table descriptor (descriptor_codec.hpp)
//   ("m", "index", name)                  -> name of the index's table (index names are global)
//   ("m", "next_table_id")                -> the table-id counter (DDL only: rare, so one key)
//   ("m", "drop", table_id)               -> name of a dropped table whose keys await deletion
//   ("t", table_id, "r", pk...)           -> row (row_codec.hpp)
//   ("t", table_id, "i", index_id, cols..., pk...) -> empty        (non-unique index entry)
//   ("t", table_id, "i", index_id, cols...)        -> encoded pk   (unique index entry)
// A unique index entry whose columns hold a NULL takes the non-unique form: NULLs never
// collide. Raw KV keys (k/...) can never fall inside these prefixes. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/descriptor.hpp"
#include "query/row_codec.hpp"

namespace meridian::query::keys {

std::string table_descriptor_key(std::string_view table_name);
// [start, end) of every table descriptor key.
std::string table_descriptors_start();
std::string table_descriptors_end();
std::string index_name_key(std::string_view index_name);
std::string table_id_counter_key();
std::string drop_job_key(std::int64_t table_id);
std::string drop_jobs_start();
std::string drop_jobs_end();
// Decodes the table id of a drop job key.
result<std::int64_t> table_id_of_drop_job(std::string_view key);

// Every key of a table (rows and index entries).
std::string table_prefix(std::int64_t table_id);
std::string row_prefix(std::int64_t table_id);
std::string index_prefix(std::int64_t table_id, std::uint32_t index_id);

// REQUIRES: pk holds the values of the primary-key columns in key order.
std::string row_key(std::int64_t table_id, const tuple& pk);
// The row key of a full row.
std::string row_key_of(const table_descriptor& table, const row& values);
tuple primary_key_of(const table_descriptor& table, const row& values);

struct index_entry {
  std::string key;
  std::string value;
  bool unique_form = false;  // keyed on the columns alone (a unique index without NULLs)
};
index_entry index_entry_of(const table_descriptor& table, const index_descriptor& index,
                           const row& values);
// The primary key an index entry points at: from the key's suffix (non-unique form) or the
// value (unique form). Fails with storage_corrupt on malformed input.
result<tuple> primary_key_of_entry(const table_descriptor& table, const index_descriptor& index,
                                   std::string_view key, std::string_view value);

}  // namespace meridian::query::keys
