// Validation of a Raft config and the WAN timing rule; see config.hpp. Pure functions.
#include "raft/config.hpp"

#include <algorithm>
#include <string>

namespace meridian::raft {
namespace {

// Election timeouts are randomized in [T, T + J), J <= T, and added to tick counters, so T must leave room.
constexpr std::uint64_t max_election_timeout_ticks = std::uint64_t{1} << 32;

error bad(const char* field, const std::string& why) {
  return error(errc::invalid_config, std::string("raft config: ") + field + " " + why);
}

}  // namespace

status config::validate() const {
  if (id == no_node) return bad("id", "must not be 0 (0 means no node)");
  if (tick_ms == 0) return bad("tick_ms", "must be positive");
  if (heartbeat_interval_ticks == 0) return bad("heartbeat_interval_ticks", "must be positive");
  if (election_timeout_ticks <= heartbeat_interval_ticks) {
    return bad("election_timeout_ticks", "must exceed heartbeat_interval_ticks (" +
                                             std::to_string(heartbeat_interval_ticks) + ")");
  }
  if (election_timeout_ticks > max_election_timeout_ticks) {
    return bad("election_timeout_ticks", "must be at most 2^32");
  }
  if (election_jitter_ticks > election_timeout_ticks) {
    return bad("election_jitter_ticks", "must be at most election_timeout_ticks (" +
                                            std::to_string(election_timeout_ticks) + ")");
  }
  if (max_inflight_messages == 0) return bad("max_inflight_messages", "must be positive");
  if (max_message_bytes == 0) return bad("max_message_bytes", "must be positive");
  if (max_uncommitted_bytes == 0) return bad("max_uncommitted_bytes", "must be positive");
  if (max_committed_bytes_per_ready == 0) {
    return bad("max_committed_bytes_per_ready", "must be positive");
  }
  if (max_pending_reads == 0) return bad("max_pending_reads", "must be positive");
  if (reads == read_mode::lease && !check_quorum) {
    return bad("check_quorum", "must be on for lease reads (a leader's lease rests on it)");
  }
  if (reads == read_mode::lease && max_clock_drift_ticks >= election_timeout_ticks) {
    return bad("max_clock_drift_ticks", "must be below election_timeout_ticks (" +
                                            std::to_string(election_timeout_ticks) +
                                            ") or no lease remains");
  }
  return ok_status();
}

result<config> with_wan_timing(config base, const std::vector<std::vector<std::uint64_t>>& rtt_ms,
                               std::uint64_t clock_drift_ms) {
  if (rtt_ms.empty()) return bad("rtt_ms", "latency matrix is empty");
  std::uint64_t max_rtt = 0;
  for (const auto& row : rtt_ms) {
    if (row.size() != rtt_ms.size()) return bad("rtt_ms", "latency matrix is not square");
    for (std::uint64_t v : row) max_rtt = std::max(max_rtt, v);
  }
  constexpr std::uint64_t ticks_per_rtt = 4;
  base.tick_ms = std::max<std::uint64_t>(1, (max_rtt + ticks_per_rtt - 1) / ticks_per_rtt);
  base.heartbeat_interval_ticks = ticks_per_rtt;
  base.election_timeout_ticks = 10 * base.heartbeat_interval_ticks;
  base.election_jitter_ticks = base.election_timeout_ticks / 2;
  base.max_clock_drift_ticks =
      std::max<std::uint64_t>(1, (clock_drift_ms + base.tick_ms - 1) / base.tick_ms);
  if (base.max_clock_drift_ticks >= base.election_timeout_ticks) {
    return bad("clock_drift_ms", std::to_string(clock_drift_ms) +
                                     " ms is not below the election timeout of " +
                                     std::to_string(base.election_timeout_ticks * base.tick_ms) +
                                     " ms");
  }
  return base;
}

}  // namespace meridian::raft
