// `meridian sim txn`: the whole cluster (meta shard, timestamp oracle, data shards across three
// datacenters) under the deterministic simulator, a transaction workload (bank, append,
// register) from coordinators on every node, the nemesis (partitions, crashes with power loss,
// flaky network, coordinator crashes, timer jitter), and the checkers: the workload's own, plus
// Raft's safety checks on every group and liveness after healing.
#pragma once

#include <cstdint>
#include <string>

namespace meridian::sim {

struct txn_sim_options {
  std::string workload = "bank";
  std::uint64_t seed_start = 1;
  std::uint64_t seeds = 1;
  std::string history_dir;  // DIR/<workload>-<seed>.jsonl per seed when set
  double fault_seconds = 40;
  int clients = 5;
  bool verbose = false;
};

int run_txn_sim(const txn_sim_options& options);

}  // namespace meridian::sim
