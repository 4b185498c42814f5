// Pending entries and snapshot; see unstable.hpp.
#include "raft/unstable.hpp"

#include <string>

namespace meridian::raft {

std::optional<std::uint64_t> unstable::maybe_first_index() const {
  if (snapshot_) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<std::uint64_t> unstable::maybe_last_index() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<std::uint64_t> unstable::maybe_term(std::uint64_t index) const {
  if (index < offset_) {
    if (snapshot_ && snapshot_->metadata.index == index) return snapshot_->metadata.term;
    return std::nullopt;
  }
  auto last = maybe_last_index();
  if (!last || index > *last) return std::nullopt;
  return entries_[index - offset_].term;
}

void unstable::stable_to(std::uint64_t index, std::uint64_t term) {
  auto t = maybe_term(index);
  // Below offset_ the term matched the snapshot: only pending entries become stable here.
  if (!t || *t != term || index < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(index + 1 - offset_));
  offset_ = index + 1;
}

void unstable::stable_snap_to(std::uint64_t index) {
  if (snapshot_ && snapshot_->metadata.index == index) snapshot_.reset();
}

void unstable::restore(raft::snapshot snap) {
  offset_ = snap.metadata.index + 1;
  entries_.clear();
  snapshot_ = std::move(snap);
}

void unstable::truncate_and_append(std::vector<storage::log_entry> entries) {
  if (entries.empty()) return;
  std::uint64_t after = entries.front().index;
  if (after == offset_ + entries_.size()) {
    // The common case: directly after the pending entries.
  } else if (after <= offset_) {
    // Replaces every pending entry; the owner's append at `after` truncates storage too.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  for (auto& e : entries) {
    MERIDIAN_ASSERT(e.index == offset_ + entries_.size(),
                    "unstable entries not contiguous at " + std::to_string(e.index));
    entries_.push_back(std::move(e));
  }
}

std::vector<storage::log_entry> unstable::slice(std::uint64_t lo, std::uint64_t hi) const {
  MERIDIAN_ASSERT(offset_ <= lo && lo <= hi && hi <= offset_ + entries_.size(),
                  "unstable slice [" + std::to_string(lo) + ", " + std::to_string(hi) +
                      ") out of [" + std::to_string(offset_) + ", " +
                      std::to_string(offset_ + entries_.size()) + ")");
  return {entries_.begin() + static_cast<std::ptrdiff_t>(lo - offset_),
          entries_.begin() + static_cast<std::ptrdiff_t>(hi - offset_)};
}

}  // namespace meridian::raft
