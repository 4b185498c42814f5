// The shard directory; see directory.hpp.
#include "actors/directory.hpp"

#include "common/byte_io.hpp"

namespace meridian::actors {

std::string encode_record(const shard_record& r) {
  std::string out;
  byte_writer w(out);
  w.varint(r.id);
  w.bytes(r.start);
  w.bytes(r.end);
  w.varint(r.epoch);
  w.varint(r.replicas.size());
  for (node_id n : r.replicas) w.varint(n);
  w.bytes(r.preferred_dc);
  return out;
}

namespace {

bool read_record(byte_reader& in, shard_record& r) {
  std::uint64_t n = 0;
  if (!in.varint(r.id) || !in.bytes(r.start) || !in.bytes(r.end) || !in.varint(r.epoch) ||
      !in.varint(n) || n > 64) {
    return false;
  }
  r.replicas.resize(n);
  for (auto& id : r.replicas) {
    if (!in.varint(id)) return false;
  }
  return in.bytes(r.preferred_dc);
}

}  // namespace

result<shard_record> decode_record(std::string_view bytes) {
  byte_reader in(bytes);
  shard_record r;
  if (!read_record(in, r) || !in.done()) {
    return error(errc::invalid_argument, "malformed shard record");
  }
  return r;
}

std::string encode_directory(const std::vector<shard_record>& records) {
  std::string out;
  byte_writer w(out);
  w.varint(records.size());
  for (const auto& r : records) w.bytes(encode_record(r));
  return out;
}

result<std::vector<shard_record>> decode_directory(std::string_view bytes) {
  byte_reader in(bytes);
  std::uint64_t n = 0;
  if (!in.varint(n) || n > 1'000'000) return error(errc::invalid_argument, "malformed directory");
  std::vector<shard_record> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view one;
    if (!in.bytes(one)) return error(errc::invalid_argument, "malformed directory");
    auto r = decode_record(one);
    if (!r) return r.err();
    out.push_back(std::move(*r));
  }
  return out;
}

void directory::update(const shard_record& r) {
  // A record older than what we hold for the same shard changes nothing.
  for (const auto& [start, old] : by_start_) {
    if (old.id == r.id && old.epoch > r.epoch) return;
  }
  // Otherwise it replaces every record it overlaps (a split turns one range into two) and the
  // shard's own previous record.
  for (auto it = by_start_.begin(); it != by_start_.end();) {
    const shard_record& old = it->second;
    bool overlaps = (r.end.empty() || old.start < r.end) && (old.end.empty() || r.start < old.end);
    it = overlaps || old.id == r.id ? by_start_.erase(it) : std::next(it);
  }
  by_start_[r.start] = r;
}

const shard_record* directory::lookup(std::string_view key) const {
  auto it = by_start_.upper_bound(key);
  if (it == by_start_.begin()) return nullptr;
  --it;
  return it->second.contains(key) ? &it->second : nullptr;
}

const shard_record* directory::find(shard_id id) const {
  for (const auto& [start, r] : by_start_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::vector<const shard_record*> directory::overlapping(std::string_view start,
                                                        std::string_view end) const {
  std::vector<const shard_record*> out;
  for (const auto& [s, r] : by_start_) {
    bool before_end = end.empty() || r.start < end;
    bool after_start = r.end.empty() || start < r.end;
    if (before_end && after_start) out.push_back(&r);
  }
  return out;
}

std::vector<shard_record> directory::all() const {
  std::vector<shard_record> out;
  for (const auto& [s, r] : by_start_) out.push_back(r);
  return out;
}

}  // namespace meridian::actors
