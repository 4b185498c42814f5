// Garbage collection of old versions (PROTOCOL.md "Garbage collection"), driven from every node:
// each node reports the oldest start_ts among its running transactions to the meta shard, and the
// node that holds the meta shard's leadership runs the rounds. A round computes the next safe
// point (txn/gc_safe_point.hpp), resolves every lock at or below it on every shard first (so no
// transaction can later be decided by looking for records GC removed), records the safe point in
// the meta shard, then sends each shard gc commands in bounded chunks through its Raft log. A
// round that meets a lock whose owner is still alive, or a shard that moved, stops and is tried
// again at the next interval. Shards refuse reads below their safe point (snapshot_too_old) and
// transactions that started at or below it (txn_too_old), so GC is safe even when a node's report
// is missing.
#pragma once

#include <caf/fwd.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "actors/actor_io.hpp"
#include "txn/active_set.hpp"
#include "txn/gc_safe_point.hpp"

namespace meridian::actors {

struct gc_options {
  bool enabled = true;
  std::chrono::milliseconds interval{60'000};
  txn::gc_policy policy;
  std::uint32_t keys_per_command = 256;  // keys one gc command visits (one Raft entry)
  std::uint32_t locks_per_scan = 256;
};

// What the last rounds did (status pages and tests).
struct gc_stats {
  std::atomic<std::uint64_t> rounds{0};
  std::atomic<std::uint64_t> safe_point{0};
  std::atomic<std::uint64_t> versions_removed{0};
  std::atomic<std::uint64_t> locks_resolved{0};
};

caf::actor spawn_gc_driver(caf::actor_system& system, std::shared_ptr<transport> net,
                           node_id node, std::vector<node_id> meta_nodes,
                           std::function<std::uint64_t()> clock_ms, actor_io_options io_options,
                           std::shared_ptr<txn::active_set> active, gc_options options,
                           std::shared_ptr<gc_stats> stats = nullptr);

}  // namespace meridian::actors
