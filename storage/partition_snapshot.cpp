// Partition export and import; see partition_snapshot.hpp. Layout: a repetition of
// (family byte, key bytes, value bytes), lengths as varints, then a crc32c of everything before.
#include "storage/partition_snapshot.hpp"

#include <algorithm>
#include <functional>

#include "common/byte_io.hpp"
#include "common/crc32.hpp"

namespace meridian::storage {

const std::vector<cf>& state_machine_families() {
  static const std::vector<cf> families{cf::data, cf::lock, cf::write, cf::meta};
  return families;
}

namespace {

// Calls `visit` with the encoded record of every (family, key, value) of the families, in order,
// from one consistent snapshot (the layout export_partition writes).
status for_each_record(kv_engine& engine, const std::vector<cf>& families,
                       const std::function<void(std::string_view record)>& visit) {
  auto snap = engine.snapshot();
  if (!snap) return snap.err();
  std::string record;
  for (cf family : families) {
    auto c = (*snap)->cursor(family);
    if (!c) return c.err();
    MERIDIAN_TRY((*c)->first());
    while ((*c)->valid()) {
      record.clear();
      byte_writer w(record);
      w.u8(static_cast<std::uint8_t>(family));
      w.bytes((*c)->key());
      w.bytes((*c)->value());
      visit(record);
      MERIDIAN_TRY((*c)->next());
    }
  }
  return ok_status();
}

}  // namespace

result<std::string> export_partition(kv_engine& engine, const std::vector<cf>& families) {
  std::string out;
  MERIDIAN_TRY(for_each_record(engine, families, [&out](std::string_view r) { out.append(r); }));
  std::uint32_t crc = crc32c(out);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(crc >> shift));
  return out;
}

result<partition_digest> digest_partition(kv_engine& engine, const std::vector<cf>& families) {
  partition_digest d;
  // The engine's format stamp is not replicated state: LMDB writes it on open, the in-memory twin
  // never does, and a snapshot install replaces `meta` with whatever the sender's export held.
  std::string stamp;
  byte_writer w(stamp);
  w.u8(static_cast<std::uint8_t>(cf::meta));
  w.bytes(format_version_key);
  MERIDIAN_TRY(for_each_record(engine, families, [&d, &stamp](std::string_view r) {
    if (r.substr(0, stamp.size()) == stamp) return;
    d.checksum = crc32c(r, d.checksum);
    ++d.entries;
    d.bytes += r.size();
  }));
  return d;
}

status import_partition(kv_engine& engine, std::string_view bytes, const std::vector<cf>& families,
                        durability d) {
  error bad(errc::storage_corrupt, "a partition snapshot is malformed or fails its checksum");
  if (bytes.size() < 4) return bad;
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  std::uint32_t crc = 0;
  for (std::size_t i = body.size(); i < bytes.size(); ++i) {
    crc = (crc << 8) | static_cast<std::uint8_t>(bytes[i]);
  }
  if (crc != crc32c(body)) return bad;
  kv_write_batch b;
  for (cf family : families) b.del_range(family, "", std::string(512, '\xff'));
  byte_reader r(body);
  while (!r.done()) {
    std::uint8_t family = 0;
    std::string_view key, value;
    if (!r.u8(family) || !r.bytes(key) || !r.bytes(value)) return bad;
    if (std::find(families.begin(), families.end(), static_cast<cf>(family)) == families.end()) {
      return bad;
    }
    b.put(static_cast<cf>(family), key, value);
  }
  return engine.write(b, d);
}

}  // namespace meridian::storage
