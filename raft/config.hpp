// Configuration of one Raft node: identity, timing in ticks, the bounds on in-memory state, and
// the read mode; plus the rule that derives WAN timing from a latency matrix. Plain data, owned by
// whoever builds the node; no thread affinity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/result.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

enum class read_mode : std::uint8_t {
  // Every read-index request is confirmed by a heartbeat round to a quorum.
  safe,
  // The leader answers at once while its lease holds: it heard from a quorum within
  // election_timeout_ticks - max_clock_drift_ticks of sending them a heartbeat, and followers
  // refuse votes for election_timeout_ticks after hearing from it. Requires check_quorum.
  lease,
};

// Bounds on memory (TIGER_STYLE: a limit on everything):
//   - per follower at most max_inflight_messages appends in flight, each at most
//     max_message_bytes of entries (a single larger entry still travels alone);
//   - the leader's entries proposed but not yet applied hold at most max_uncommitted_bytes of
//     payload: propose fails with limit_exceeded beyond it (one entry is always admitted when
//     nothing is uncommitted, so a large entry cannot wedge the log);
//   - unstable entries (not yet persisted) live in memory only until the owner persists the
//     ready that carries them: on a leader they are within max_uncommitted_bytes, on a follower
//     within what the leader's window allows (max_inflight_messages x max_message_bytes);
//   - a ready carries at most max_committed_bytes_per_ready of committed entries;
//   - at most max_pending_reads read-index requests wait at the leader (limit_exceeded beyond).
struct config {
  node_id id = no_node;
  // Real time of one tick. The core never reads a clock; the owner calls tick() this often.
  std::uint64_t tick_ms = 100;
  // T: a follower campaigns after a random timeout in [T, T + J) ticks without hearing a leader.
  std::uint64_t election_timeout_ticks = 10;
  // J, the width of that randomization; 0 means T (the paper's [T, 2T)). At most T.
  std::uint64_t election_jitter_ticks = 0;
  std::uint64_t heartbeat_interval_ticks = 1;
  // How far apart two nodes' measures of one lease period may drift, in ticks.
  std::uint64_t max_clock_drift_ticks = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  read_mode reads = read_mode::safe;
  std::size_t max_inflight_messages = 256;
  std::size_t max_message_bytes = 1 << 20;
  std::size_t max_uncommitted_bytes = 64 << 20;
  std::size_t max_committed_bytes_per_ready = 16 << 20;
  std::size_t max_pending_reads = 4096;
  // The last index the state machine applied before a restart (0 for a new node).
  std::uint64_t applied_index = 0;
  // Seeds the election-timeout randomization, so a run can be replayed exactly.
  std::uint64_t random_seed = 0;

  // invalid_config naming the first bad field.
  status validate() const;
  // How long a lease lasts after the heartbeat that earned it.
  std::uint64_t lease_ticks() const { return election_timeout_ticks - max_clock_drift_ticks; }
};

// Derives timing for a WAN from the largest round trip in a dc-to-dc latency matrix (square, in
// milliseconds) and a clock-drift bound. The rule:
//   tick_ms                  = ceil(max_rtt_ms / 4), at least 1 (four ticks per round trip: fine
//                              enough to randomize timeouts and to express a drift bound);
//   heartbeat_interval_ticks = 4                     (heartbeat  ~ 1 x max RTT);
//   election_timeout_ticks   = 10 x heartbeat = 40   (T ~ 10 x max RTT);
//   election_jitter_ticks    = T / 2 = 20           (randomized in [T, 1.5 T): five round trips
//                              of spread, so two followers rarely time out within one round trip,
//                              and pre-vote ranking (election.cpp) settles it when they do; a
//                              cut-off leader is then replaced, and a write committed, within 2T);
//   max_clock_drift_ticks    = ceil(clock_drift_ms / tick_ms), at least 1;
//   lease                    = T - drift.
// A heartbeat every round trip keeps the lease renewed long before it expires; ten round trips
// before an election tolerate several lost heartbeats on a slow link without a needless election.
// Everything else is copied from `base`. invalid_config when the matrix is empty or not square,
// or when the drift bound leaves no lease.
result<config> with_wan_timing(config base, const std::vector<std::vector<std::uint64_t>>& rtt_ms,
                               std::uint64_t clock_drift_ms);

}  // namespace meridian::raft
