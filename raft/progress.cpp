// Per-follower replication progress; see progress.hpp.
#include "raft/progress.hpp"

#include <algorithm>
#include <string>

#include "common/assert.hpp"

namespace meridian::raft {

void inflights::add(std::uint64_t index) {
  MERIDIAN_ASSERT(!full(), "in-flight window of " + std::to_string(capacity_) + " is full");
  MERIDIAN_ASSERT(indexes_.empty() || index > indexes_.back(),
                  "in-flight indexes must increase: " + std::to_string(index));
  indexes_.push_back(index);
}

void inflights::free_le(std::uint64_t index) {
  while (!indexes_.empty() && indexes_.front() <= index) indexes_.pop_front();
}

const char* to_string(progress_state s) {
  switch (s) {
    case progress_state::probe: return "probe";
    case progress_state::replicate: return "replicate";
    case progress_state::snapshot: return "snapshot";
  }
  return "unknown";
}

void progress::reset_state(progress_state s) {
  probe_sent = false;
  pending_snapshot = 0;
  state = s;
  inflight.reset();
}

void progress::become_probe() {
  // After a snapshot, the follower has at least the snapshot: probe right after it.
  if (state == progress_state::snapshot) {
    std::uint64_t snap = pending_snapshot;
    reset_state(progress_state::probe);
    next = std::max(match + 1, snap + 1);
  } else {
    reset_state(progress_state::probe);
    next = match + 1;
  }
}

void progress::become_replicate() {
  reset_state(progress_state::replicate);
  next = match + 1;
}

void progress::become_snapshot(std::uint64_t snapshot_index) {
  reset_state(progress_state::snapshot);
  pending_snapshot = snapshot_index;
}

bool progress::maybe_update(std::uint64_t index) {
  bool grew = false;
  if (match < index) {
    match = index;
    grew = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return grew;
}

bool progress::maybe_decrease_to(std::uint64_t rejected, std::uint64_t match_hint) {
  if (state == progress_state::replicate) {
    // Appends are pipelined: a rejection at or below match is an old reply.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe only the one outstanding append (after next - 1) can be rejected meaningfully.
  if (next - 1 != rejected) return false;
  next = std::max<std::uint64_t>(std::min(rejected, match_hint + 1), match + 1);
  probe_sent = false;
  return true;
}

void progress::sent_entries(std::size_t count, std::uint64_t last_index) {
  switch (state) {
    case progress_state::replicate:
      if (count > 0) {
        next = last_index + 1;  // optimistic: the follower will most likely accept
        inflight.add(last_index);
      }
      break;
    case progress_state::probe:
      // One probe per heartbeat interval: a heartbeat response clears the flag.
      probe_sent = true;
      break;
    case progress_state::snapshot:
      MERIDIAN_ASSERT(false, "append sent to a follower in the snapshot state");
  }
}

bool progress::paused() const {
  switch (state) {
    case progress_state::probe: return probe_sent;
    case progress_state::replicate: return inflight.full();
    case progress_state::snapshot: return true;
  }
  return true;
}

}  // namespace meridian::raft
