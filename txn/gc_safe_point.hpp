// Where garbage collection may move its safe point (PROTOCOL.md "Garbage collection"): to now
// minus a retention window, never at or above the oldest start_ts a node reports as still active,
// and never backwards. Pure: the GC driver gathers the inputs (a TSO timestamp, the nodes'
// reports from the meta shard) and acts on the answer.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/topology.hpp"

namespace meridian::txn {

// A node's report: the oldest start_ts among its running transactions (when it has none, the
// timestamp it took just before looking), and when it reported (a TSO timestamp).
struct gc_report {
  node_id node = 0;
  std::uint64_t oldest_active = 0;
  std::uint64_t reported_at = 0;
};

struct gc_policy {
  // Versions younger than this are kept: reads up to this far in the past (AS OF SYSTEM TIME,
  // long transactions) keep working.
  std::uint64_t retention_ms = 10 * 60 * 1000;
  // A report older than this is ignored: its node is down or cut off, and its transactions, if
  // any survive, are refused with txn_too_old rather than holding GC back forever.
  std::uint64_t report_ttl_ms = 10 * 60 * 1000;
};

// The next safe point at now_ts, or nullopt when it would not rise above `previous`.
std::optional<std::uint64_t> next_safe_point(std::uint64_t now_ts, std::uint64_t previous,
                                             const std::vector<gc_report>& reports,
                                             const gc_policy& policy);

}  // namespace meridian::txn
