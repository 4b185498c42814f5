// The in-memory Raft storage; see memory_log_source.hpp. Also home of limit_bytes, the byte bound
// every log read applies.
#include "raft/memory_log_source.hpp"

#include <string>

namespace meridian::raft {

void limit_bytes(std::vector<storage::log_entry>& entries, std::size_t max_bytes) {
  if (entries.empty()) return;
  std::size_t total = entries[0].bytes();
  std::size_t keep = 1;
  while (keep < entries.size()) {
    total += entries[keep].bytes();
    if (total > max_bytes) break;
    ++keep;
  }
  entries.resize(keep);
}

memory_log_source::memory_log_source(conf_state conf) : conf_(conf) {
  snapshot_.metadata.conf = std::move(conf);
  entries_.push_back(storage::log_entry{});  // the dummy at index 0, term 0
}

result<stored_state> memory_log_source::load_state() const {
  return stored_state{hard_state_, conf_};
}

std::uint64_t memory_log_source::first_index() const { return entries_.front().index + 1; }

std::uint64_t memory_log_source::last_index() const {
  return entries_.front().index + entries_.size() - 1;
}

result<std::uint64_t> memory_log_source::term(std::uint64_t index) const {
  std::uint64_t offset = entries_.front().index;
  if (index < offset) {
    return error(errc::log_compacted, "entry " + std::to_string(index) + " was compacted");
  }
  if (index > last_index()) {
    return error(errc::log_unavailable, "entry " + std::to_string(index) + " is not stored");
  }
  return entries_[index - offset].term;
}

result<std::vector<storage::log_entry>> memory_log_source::entries(std::uint64_t lo,
                                                                   std::uint64_t hi,
                                                                   std::size_t max_bytes) const {
  std::uint64_t offset = entries_.front().index;
  if (lo <= offset) {
    return error(errc::log_compacted, "entry " + std::to_string(lo) + " was compacted");
  }
  MERIDIAN_ASSERT(lo <= hi && hi <= last_index() + 1,
                  "entries [" + std::to_string(lo) + ", " + std::to_string(hi) +
                      ") out of the stored range ending at " + std::to_string(last_index()));
  std::vector<storage::log_entry> out(entries_.begin() + static_cast<std::ptrdiff_t>(lo - offset),
                                      entries_.begin() + static_cast<std::ptrdiff_t>(hi - offset));
  limit_bytes(out, max_bytes);
  return out;
}

result<raft::snapshot> memory_log_source::snapshot() const {
  if (snapshot_unavailable_) {
    return error(errc::not_ready, "the snapshot is still being produced");
  }
  return snapshot_;
}

void memory_log_source::append(std::vector<storage::log_entry> entries) {
  if (entries.empty()) return;
  std::uint64_t first = first_index();
  if (entries.back().index < first) return;  // everything is already in the snapshot
  if (entries.front().index < first) {
    entries.erase(entries.begin(),
                  entries.begin() + static_cast<std::ptrdiff_t>(first - entries.front().index));
  }
  std::uint64_t at = entries.front().index - entries_.front().index;
  MERIDIAN_ASSERT(at <= entries_.size(), "append at " + std::to_string(entries.front().index) +
                                             " leaves a gap after " +
                                             std::to_string(last_index()));
  entries_.resize(at);
  for (auto& e : entries) {
    MERIDIAN_ASSERT(e.index == entries_.back().index + 1, "appended entries are not contiguous");
    entries_.push_back(std::move(e));
  }
}

status memory_log_source::apply_snapshot(raft::snapshot snap) {
  if (snap.metadata.index <= snapshot_.metadata.index) {
    return error(errc::invalid_argument, "snapshot at " + std::to_string(snap.metadata.index) +
                                             " is not newer than the one held at " +
                                             std::to_string(snapshot_.metadata.index));
  }
  entries_.clear();
  entries_.push_back(storage::log_entry{snap.metadata.term, snap.metadata.index, 0, {}});
  conf_ = snap.metadata.conf;
  snapshot_ = std::move(snap);
  return ok_status();
}

result<raft::snapshot> memory_log_source::create_snapshot(std::uint64_t index, conf_state conf,
                                                          std::string data) {
  if (index <= snapshot_.metadata.index) {
    return error(errc::log_compacted, "a snapshot at " + std::to_string(snapshot_.metadata.index) +
                                          " already covers " + std::to_string(index));
  }
  MERIDIAN_ASSERT(index <= last_index(), "snapshot at " + std::to_string(index) +
                                             " beyond the last index " +
                                             std::to_string(last_index()));
  snapshot_.metadata.index = index;
  snapshot_.metadata.term = entries_[index - entries_.front().index].term;
  snapshot_.metadata.conf = std::move(conf);
  snapshot_.data = std::move(data);
  return snapshot_;
}

status memory_log_source::compact(std::uint64_t index) {
  std::uint64_t offset = entries_.front().index;
  if (index <= offset) {
    return error(errc::log_compacted, "the log is already compacted to " + std::to_string(offset));
  }
  MERIDIAN_ASSERT(index <= last_index(), "compact to " + std::to_string(index) +
                                             " beyond the last index " +
                                             std::to_string(last_index()));
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(index - offset));
  entries_.front().data.clear();  // the new dummy keeps only its index and term
  entries_.front().type = 0;
  return ok_status();
}

}  // namespace meridian::raft
