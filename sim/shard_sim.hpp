// `meridian sim shards`: a sharded cluster across three datacenters (two nodes each) under the
// deterministic simulator (issue 4). Unique-key writers on every node write through the routing
// layer while a seeded schedule splits shards on command and by size, moves leaders (direct
// transfers and the balancer taking them home), isolates one datacenter (each shard's time to
// its first write is measured against two election timeouts), isolates two (no write may be
// acknowledged; failures must be retryable and a router request must name its shard), heals,
// and replaces a dead node's replicas by membership change. At the end: every acknowledged key
// present exactly once and nothing that was never written (the set checker, and the stored
// partitions themselves), every replica of every shard at one applied index with identical
// contents, the directory in agreement with the shards, and Raft's safety checks.
#pragma once

#include <cstdint>
#include <string>

namespace meridian::sim {

struct shard_sim_options {
  std::uint64_t seed_start = 1;
  std::uint64_t seeds = 1;
  std::string history_dir;  // DIR/set-<seed>.jsonl per seed when set
  bool verbose = false;
};

int run_shard_sim(const shard_sim_options& options);

}  // namespace meridian::sim
