// `meridian sim raft`: Raft groups of three datacenters under the deterministic simulator, a
// register workload, the nemesis, and the checkers (election safety, commit monotonicity, state
// machine safety, log matching, leader completeness, linearizability, liveness after healing).
#pragma once

#include <cstdint>
#include <string>

namespace meridian::sim {

struct raft_sim_options {
  std::uint64_t seed_start = 1;
  std::uint64_t seeds = 1;
  std::string history_dir;     // write register-<seed>.jsonl per seed when set
  double fault_seconds = 60;   // simulated time with faults
  int shards = 2;              // Raft groups
  int clients = 6;
  bool verbose = false;        // print every seed's line, not only failures
};

// Prints failures as they happen and the summary line
// "seeds: N, violations: V, simulated hours: H, wall seconds: W". Returns 0, or 1 on a violation.
int run_raft_sim(const raft_sim_options& options);

}  // namespace meridian::sim
