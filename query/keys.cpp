// Key layout of the catalog, rows and index entries; see keys.hpp.
#include "query/keys.hpp"

#include "storage/key_codec.hpp"

namespace meridian::query::keys {
namespace {

namespace codec = storage::codec;

void append_text(std::string& out, std::string_view s) { codec::append(out, datum(std::string(s))); }

// The encoded "t", "r" and "i" components, built once: every statement builds row keys.
const std::string& encoded(char which) {
  static const std::string t = [] { std::string o; append_text(o, "t"); return o; }();
  static const std::string r = [] { std::string o; append_text(o, "r"); return o; }();
  static const std::string i = [] { std::string o; append_text(o, "i"); return o; }();
  return which == 't' ? t : which == 'r' ? r : i;
}

std::string catalog_key(std::string_view kind) {
  std::string out;
  append_text(out, "m");
  append_text(out, kind);
  return out;
}

}  // namespace

std::string table_descriptor_key(std::string_view table_name) {
  std::string out = catalog_key("table");
  append_text(out, table_name);
  return out;
}

std::string table_descriptors_start() { return catalog_key("table"); }
std::string table_descriptors_end() { return codec::prefix_end(catalog_key("table")); }

std::string index_name_key(std::string_view index_name) {
  std::string out = catalog_key("index");
  append_text(out, index_name);
  return out;
}

std::string table_id_counter_key() { return catalog_key("next_table_id"); }

std::string drop_job_key(std::int64_t table_id) {
  std::string out = catalog_key("drop");
  codec::append(out, datum(table_id));
  return out;
}

std::string drop_jobs_start() { return catalog_key("drop"); }
std::string drop_jobs_end() { return codec::prefix_end(catalog_key("drop")); }

result<std::int64_t> table_id_of_drop_job(std::string_view key) {
  auto t = codec::decode(key);
  if (!t) return t.err();
  if (t->size() != 3 || !std::holds_alternative<std::int64_t>((*t)[2])) {
    return error(errc::storage_corrupt, "malformed drop job key");
  }
  return std::get<std::int64_t>((*t)[2]);
}

std::string table_prefix(std::int64_t table_id) {
  std::string out;
  out.reserve(32);
  out += encoded('t');
  codec::append(out, datum(table_id));
  return out;
}

std::string row_prefix(std::int64_t table_id) {
  std::string out = table_prefix(table_id);
  out += encoded('r');
  return out;
}

std::string index_prefix(std::int64_t table_id, std::uint32_t index_id) {
  std::string out = table_prefix(table_id);
  out += encoded('i');
  codec::append(out, datum(static_cast<std::int64_t>(index_id)));
  return out;
}

std::string row_key(std::int64_t table_id, const tuple& pk) {
  std::string out = row_prefix(table_id);
  codec::append_tuple(out, pk);
  return out;
}

tuple primary_key_of(const table_descriptor& table, const row& values) {
  tuple pk;
  pk.reserve(table.primary_key.size());
  for (auto id : table.primary_key) pk.push_back(values[table.position_of_id(id)]);
  return pk;
}

std::string row_key_of(const table_descriptor& table, const row& values) {
  std::string out = row_prefix(table.id);
  for (auto id : table.primary_key) codec::append(out, values[table.position_of_id(id)]);
  return out;
}

index_entry index_entry_of(const table_descriptor& table, const index_descriptor& index,
                           const row& values) {
  index_entry e;
  e.key = index_prefix(table.id, index.id);
  bool has_null = false;
  for (auto id : index.column_ids) {
    const datum& v = values[table.position_of_id(id)];
    has_null = has_null || std::holds_alternative<null_value>(v);
    codec::append(e.key, v);
  }
  e.unique_form = index.unique && !has_null;
  tuple pk = primary_key_of(table, values);
  if (e.unique_form) {
    e.value = codec::encode(pk);
  } else {
    codec::append_tuple(e.key, pk);
  }
  return e;
}

result<tuple> primary_key_of_entry(const table_descriptor& table, const index_descriptor& index,
                                   std::string_view key, std::string_view value) {
  std::string prefix = index_prefix(table.id, index.id);
  if (key.substr(0, prefix.size()) != prefix) {
    return error(errc::storage_corrupt, "index entry outside its index");
  }
  std::string_view rest = key.substr(prefix.size());
  for (std::size_t i = 0; i < index.column_ids.size(); ++i) {
    auto v = codec::read_datum(rest);
    if (!v) return v.err();
  }
  auto pk = rest.empty() ? codec::decode(value) : codec::decode(rest);
  if (!pk) return pk.err();
  if (pk->size() != table.primary_key.size()) {
    return error(errc::storage_corrupt, "index entry with a malformed primary key");
  }
  return std::move(*pk);
}

}  // namespace meridian::query::keys
