// The Raft log store; see log_store.hpp. Stored layout (column family raft_log):
//   key   = index, 8 bytes big-endian (so the log is in index order)
//   value = crc32c (4 bytes, over index + the rest) | varint term | type byte | payload
#include "storage/log_store.hpp"

#include "common/byte_io.hpp"
#include "common/crc32.hpp"
#include "storage/key_codec.hpp"

namespace meridian::storage {
namespace {

constexpr std::string_view hard_state_key = "hard_state";
constexpr std::string_view marker_key = "snapshot_marker";
const std::string log_end(9, '\xff');  // above every 8-byte index key

std::string index_key(std::uint64_t index) {
  std::string k;
  codec::append_u64_be(k, index);
  return k;
}

std::string encode_entry(const log_entry& e) {
  std::string body;
  byte_writer w(body);
  w.varint(e.term);
  w.u8(e.type);
  body.append(e.data);
  std::uint32_t crc = crc32c(body, crc32c(index_key(e.index)));
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(crc >> shift));
  return out + body;
}

result<log_entry> decode_entry(std::uint64_t index, std::string_view value) {
  error bad(errc::storage_corrupt,
            "Raft log entry " + std::to_string(index) + " failed its checksum or is malformed");
  if (value.size() < 4) return bad;
  std::uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc = (crc << 8) | static_cast<std::uint8_t>(value[i]);
  std::string_view body = value.substr(4);
  if (crc != crc32c(body, crc32c(index_key(index)))) return bad;
  byte_reader r(body);
  log_entry e;
  e.index = index;
  if (!r.varint(e.term) || !r.u8(e.type)) return bad;
  e.data.assign(r.rest());  // the payload is whatever follows the type byte
  return e;
}

}  // namespace

result<std::unique_ptr<log_store>> log_store::open(kv_engine& engine) {
  std::unique_ptr<log_store> s(new log_store(engine));
  MERIDIAN_TRY(s->load());
  return s;
}

status log_store::load() {
  auto snap = engine_.snapshot();
  if (!snap) return snap.err();
  kv_snapshot& s = **snap;
  auto raw_marker = s.get(cf::raft_state, marker_key);
  if (!raw_marker) return raw_marker.err();
  if (raw_marker->has_value()) {
    byte_reader r(**raw_marker);
    if (!r.varint(snapshot_.index) || !r.varint(snapshot_.term)) {
      return error(errc::storage_corrupt, "the Raft snapshot marker is malformed");
    }
  }
  auto raw_hs = s.get(cf::raft_state, hard_state_key);
  if (!raw_hs) return raw_hs.err();
  if (raw_hs->has_value()) {
    byte_reader r(**raw_hs);
    if (!r.varint(hard_state_.term) || !r.varint(hard_state_.vote) ||
        !r.varint(hard_state_.commit)) {
      return error(errc::storage_corrupt, "the Raft hard state is malformed");
    }
  }
  auto c = s.cursor(cf::raft_log);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->seek(index_key(snapshot_.index + 1)));
  std::uint64_t expected = snapshot_.index + 1;
  while ((*c)->valid()) {
    std::uint64_t index = codec::decode_u64_be((*c)->key());
    if (index != expected) {
      return error(errc::storage_corrupt, "the Raft log has a gap: expected entry " +
                                              std::to_string(expected) + ", found " +
                                              std::to_string(index));
    }
    auto e = decode_entry(index, (*c)->value());
    if (!e) return e.err();
    terms_.push_back(e->term);
    ++expected;
    MERIDIAN_TRY((*c)->next());
  }
  durable_last_ = last_index();
  return ok_status();
}

void log_store::append(std::vector<log_entry> entries) {
  if (entries.empty()) return;
  std::uint64_t first = entries.front().index;
  MERIDIAN_ASSERT(first > snapshot_.index && first <= last_index() + 1,
                  "append at " + std::to_string(first) + " outside (" +
                      std::to_string(snapshot_.index) + ", " + std::to_string(last_index() + 1) +
                      "]");
  for (std::size_t i = 1; i < entries.size(); ++i) {
    MERIDIAN_ASSERT(entries[i].index == first + i, "appended entries are not contiguous");
  }
  terms_.resize(first - first_index());
  if (!staged_.empty() && staged_.front().index < first) {
    staged_.resize(first - staged_.front().index);
  } else {
    staged_.clear();
  }
  if (first <= durable_last_) truncate_from_ = std::min(truncate_from_, first);
  for (auto& e : entries) {
    terms_.push_back(e.term);
    staged_.push_back(std::move(e));
  }
}

void log_store::set_hard_state(const hard_state& hs) {
  hard_state_ = hs;
  staged_hard_state_ = true;
}

void log_store::compact(std::uint64_t index) {
  MERIDIAN_ASSERT(index >= first_index() && index <= last_index(),
                  "compact to " + std::to_string(index) + " outside the log");
  std::uint64_t t = *term(index);
  terms_.erase(terms_.begin(), terms_.begin() + static_cast<long>(index - snapshot_.index));
  snapshot_ = snapshot_marker{index, t};
  while (!staged_.empty() && staged_.front().index <= index) staged_.erase(staged_.begin());
  stored_compacted_to_ = std::max(stored_compacted_to_, index);
  staged_marker_ = true;
}

void log_store::reset(snapshot_marker marker) {
  terms_.clear();
  staged_.clear();
  snapshot_ = marker;
  truncate_from_ = 0;
  staged_marker_ = true;
}

bool log_store::has_staged() const {
  return !staged_.empty() || staged_hard_state_ || staged_marker_ ||
         truncate_from_ != std::numeric_limits<std::uint64_t>::max();
}

result<std::uint64_t> log_store::sync(const kv_write_batch* extra, durability d) {
  if (!has_staged() && (extra == nullptr || extra->empty())) return durable_last_;
  bool log_changed = !staged_.empty() || staged_marker_ ||
                     truncate_from_ != std::numeric_limits<std::uint64_t>::max();
  if (log_changed) d = durability::sync;
  kv_write_batch b;
  if (truncate_from_ != std::numeric_limits<std::uint64_t>::max()) {
    b.del_range(cf::raft_log, index_key(truncate_from_), log_end);
  }
  if (staged_marker_) {
    b.del_range(cf::raft_log, index_key(0), index_key(snapshot_.index + 1));
    std::string m;
    byte_writer w(m);
    w.varint(snapshot_.index);
    w.varint(snapshot_.term);
    b.put(cf::raft_state, marker_key, m);
  }
  for (const auto& e : staged_) b.put(cf::raft_log, index_key(e.index), encode_entry(e));
  if (staged_hard_state_) {
    std::string hs;
    byte_writer w(hs);
    w.varint(hard_state_.term);
    w.varint(hard_state_.vote);
    w.varint(hard_state_.commit);
    b.put(cf::raft_state, hard_state_key, hs);
  }
  if (extra != nullptr) b.append(*extra);
  MERIDIAN_TRY(engine_.write(b, d));
  staged_.clear();
  truncate_from_ = std::numeric_limits<std::uint64_t>::max();
  staged_hard_state_ = false;
  staged_marker_ = false;
  if (d == durability::sync) durable_last_ = last_index();
  return durable_last_;
}

result<std::uint64_t> log_store::term(std::uint64_t index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index) {
    return error(errc::log_compacted, "entry " + std::to_string(index) +
                                          " was compacted into the snapshot at " +
                                          std::to_string(snapshot_.index));
  }
  if (index > last_index()) {
    return error(errc::log_unavailable, "entry " + std::to_string(index) +
                                            " is beyond the last index " +
                                            std::to_string(last_index()));
  }
  return terms_[index - first_index()];
}

result<std::vector<log_entry>> log_store::read_stored(std::uint64_t lo, std::uint64_t hi,
                                                      std::size_t max_bytes,
                                                      std::size_t used) const {
  std::vector<log_entry> out;
  auto snap = engine_.snapshot();
  if (!snap) return snap.err();
  auto c = (*snap)->cursor(cf::raft_log);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->seek(index_key(lo)));
  for (std::uint64_t i = lo; i < hi; ++i) {
    if (!(*c)->valid() || codec::decode_u64_be((*c)->key()) != i) {
      return error(errc::storage_corrupt, "Raft log entry " + std::to_string(i) + " is missing");
    }
    auto e = decode_entry(i, (*c)->value());
    if (!e) return e.err();
    if (!out.empty() && used + e->bytes() > max_bytes) break;
    used += e->bytes();
    out.push_back(std::move(*e));
    MERIDIAN_TRY((*c)->next());
  }
  return out;
}

result<std::vector<log_entry>> log_store::entries(std::uint64_t lo, std::uint64_t hi,
                                                  std::size_t max_bytes) const {
  if (lo < first_index()) {
    return error(errc::log_compacted, "entries from " + std::to_string(lo) +
                                          " were compacted; the log starts at " +
                                          std::to_string(first_index()));
  }
  if (hi > last_index() + 1) {
    return error(errc::log_unavailable, "entries up to " + std::to_string(hi - 1) +
                                            " requested; the log ends at " +
                                            std::to_string(last_index()));
  }
  std::vector<log_entry> out;
  if (lo >= hi) return out;
  std::uint64_t staged_first = staged_.empty() ? last_index() + 1 : staged_.front().index;
  std::size_t used = 0;
  if (lo < staged_first) {
    auto stored = read_stored(lo, std::min(hi, staged_first), max_bytes, 0);
    if (!stored) return stored.err();
    out = std::move(*stored);
    for (const auto& e : out) used += e.bytes();
    if (out.empty() || out.back().index + 1 < std::min(hi, staged_first)) return out;
  }
  for (std::uint64_t i = std::max(lo, staged_first); i < hi; ++i) {
    const log_entry& e = staged_[i - staged_first];
    if (!out.empty() && used + e.bytes() > max_bytes) break;
    used += e.bytes();
    out.push_back(e);
  }
  return out;
}

}  // namespace meridian::storage
