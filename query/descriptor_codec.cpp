// Descriptor encoding; see descriptor_codec.hpp. The table id and version come first so that
// read_descriptor_header() reads two varints and stops.
#include "query/descriptor_codec.hpp"

#include "common/byte_io.hpp"
#include "query/query_limits.hpp"
#include "query/row_codec.hpp"

namespace meridian::query {
namespace {

constexpr std::uint8_t descriptor_format = 1;

error corrupt(const std::string& what) {
  return error(errc::storage_corrupt, "malformed table descriptor: " + what);
}

void write_type(byte_writer& w, const sql_type& t) {
  w.u8(static_cast<std::uint8_t>(t.id));
  w.varint(static_cast<std::uint64_t>(t.precision));
  w.varint(static_cast<std::uint64_t>(t.scale));
  w.varint(static_cast<std::uint64_t>(t.length));
}

bool read_type(byte_reader& r, sql_type& t) {
  std::uint8_t id = 0;
  std::uint64_t p = 0, s = 0, len = 0;
  if (!r.u8(id) || !r.varint(p) || !r.varint(s) || !r.varint(len)) return false;
  if (id > static_cast<std::uint8_t>(type_id::timestamp) || p > 38 || s > p ||
      len > (std::uint64_t{1} << 31)) {
    return false;
  }
  t.id = static_cast<type_id>(id);
  t.precision = static_cast<int>(p);
  t.scale = static_cast<int>(s);
  t.length = static_cast<std::int64_t>(len);
  return true;
}

void write_column(std::string& out, const column_descriptor& c) {
  byte_writer w(out);
  w.varint(c.id);
  w.bytes(c.name);
  write_type(w, c.type);
  w.u8(static_cast<std::uint8_t>((c.nullable ? 1 : 0) | (c.hidden ? 2 : 0)));
  w.u8(static_cast<std::uint8_t>(c.default_rule));
  append_value(out, c.default_value);
  append_value(out, c.absent_value);
}

result<column_descriptor> read_column(byte_reader& r) {
  column_descriptor c;
  std::uint64_t id = 0;
  std::uint8_t flags = 0, rule = 0;
  if (!r.varint(id) || id > 0xFFFFFFFFu || !r.bytes(c.name) || !read_type(r, c.type) ||
      !r.u8(flags) || !r.u8(rule) || rule > static_cast<std::uint8_t>(default_kind::gen_id)) {
    return corrupt("column");
  }
  c.id = static_cast<std::uint32_t>(id);
  c.nullable = (flags & 1) != 0;
  c.hidden = (flags & 2) != 0;
  c.default_rule = static_cast<default_kind>(rule);
  auto def = read_value(r);
  if (!def) return def.err();
  c.default_value = std::move(*def);
  auto absent = read_value(r);
  if (!absent) return absent.err();
  c.absent_value = std::move(*absent);
  return c;
}

void write_ids(byte_writer& w, const std::vector<std::uint32_t>& ids) {
  w.varint(ids.size());
  for (auto id : ids) w.varint(id);
}

bool read_ids(byte_reader& r, std::vector<std::uint32_t>& ids) {
  std::uint64_t n = 0;
  if (!r.varint(n) || n > query_limits::max_columns) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t id = 0;
    if (!r.varint(id) || id > 0xFFFFFFFFu) return false;
    ids.push_back(static_cast<std::uint32_t>(id));
  }
  return true;
}

result<index_descriptor> read_index(byte_reader& r) {
  index_descriptor ix;
  std::uint64_t id = 0;
  std::uint8_t flags = 0;
  if (!r.varint(id) || id > 0xFFFFFFFFu || !r.bytes(ix.name) || !read_ids(r, ix.column_ids) ||
      !r.u8(flags) || ix.column_ids.empty()) {
    return corrupt("index");
  }
  ix.id = static_cast<std::uint32_t>(id);
  ix.unique = (flags & 1) != 0;
  ix.state = (flags & 2) != 0 ? index_state::public_ : index_state::write_only;
  return ix;
}

// Every referenced column id exists and the columns are in increasing id order.
status check_references(const table_descriptor& t) {
  for (std::size_t i = 1; i < t.columns.size(); ++i) {
    if (t.columns[i - 1].id >= t.columns[i].id) return corrupt("columns out of id order");
  }
  auto known = [&](std::uint32_t id) {
    for (const auto& c : t.columns) {
      if (c.id == id) return true;
    }
    return false;
  };
  for (auto id : t.primary_key) {
    if (!known(id)) return corrupt("primary key names an unknown column");
  }
  for (const auto& ix : t.indexes) {
    for (auto id : ix.column_ids) {
      if (!known(id)) return corrupt("index names an unknown column");
    }
  }
  if (t.primary_key.empty() || t.columns.empty()) return corrupt("no columns or no key");
  return ok_status();
}

}  // namespace

std::string encode_descriptor(const table_descriptor& t) {
  std::string out;
  out.push_back(static_cast<char>(descriptor_format));
  byte_writer w(out);
  w.varint(static_cast<std::uint64_t>(t.id));
  w.varint(t.version);
  w.bytes(t.name);
  w.varint(t.columns.size());
  for (const auto& c : t.columns) write_column(out, c);
  write_ids(w, t.primary_key);
  w.varint(t.indexes.size());
  for (const auto& ix : t.indexes) {
    w.varint(ix.id);
    w.bytes(ix.name);
    write_ids(w, ix.column_ids);
    w.u8(static_cast<std::uint8_t>((ix.unique ? 1 : 0) |
                                   (ix.state == index_state::public_ ? 2 : 0)));
  }
  w.varint(t.next_column_id);
  w.varint(t.next_index_id);
  w.bytes(t.placement.leader_dc);
  w.bytes(t.placement.home_dc_column);
  return out;
}

result<descriptor_header> read_descriptor_header(std::string_view encoded) {
  if (encoded.empty() || static_cast<std::uint8_t>(encoded[0]) != descriptor_format) {
    return corrupt("unknown format");
  }
  byte_reader r(encoded.substr(1));
  std::uint64_t id = 0, version = 0;
  if (!r.varint(id) || !r.varint(version)) return corrupt("header");
  return descriptor_header{static_cast<std::int64_t>(id), version};
}

result<table_descriptor> decode_descriptor(std::string_view encoded) {
  if (encoded.empty() || static_cast<std::uint8_t>(encoded[0]) != descriptor_format) {
    return corrupt("unknown format");
  }
  byte_reader r(encoded.substr(1));
  table_descriptor t;
  std::uint64_t id = 0, n = 0;
  if (!r.varint(id) || id > (std::uint64_t{1} << 62) || !r.varint(t.version) || !r.bytes(t.name) ||
      !r.varint(n) || n > query_limits::max_columns) {
    return corrupt("header");
  }
  t.id = static_cast<std::int64_t>(id);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto c = read_column(r);
    if (!c) return c.err();
    t.columns.push_back(std::move(*c));
  }
  if (!read_ids(r, t.primary_key) || !r.varint(n) || n > query_limits::max_indexes) {
    return corrupt("primary key");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    auto ix = read_index(r);
    if (!ix) return ix.err();
    t.indexes.push_back(std::move(*ix));
  }
  std::uint64_t next_column = 0, next_index = 0;
  if (!r.varint(next_column) || !r.varint(next_index) || next_column > 0xFFFFFFFFu ||
      next_index > 0xFFFFFFFFu || !r.bytes(t.placement.leader_dc) ||
      !r.bytes(t.placement.home_dc_column) || !r.done()) {
    return corrupt("trailer");
  }
  t.next_column_id = static_cast<std::uint32_t>(next_column);
  t.next_index_id = static_cast<std::uint32_t>(next_index);
  MERIDIAN_TRY(check_references(t));
  return t;
}

}  // namespace meridian::query
