// A whole embedded cluster under the simulator, set up the way every simulator run wants it:
// the runtime's simulated clock (from a fixed wall-clock epoch), small log-compaction thresholds
// so snapshots happen under test, every applied entry reported to the Raft checkers (whose notes
// go to the runtime's trace), and per node a timer skew within the lease drift bound. Used by
// `sim txn` and `sim shards`; runs on the simulator's thread.
#pragma once

#include <memory>
#include <random>

#include "actors/cluster.hpp"
#include "sim/raft_checks.hpp"
#include "sim/sim_runtime.hpp"

namespace meridian::sim {

// Simulated wall clock at time zero (the cluster's timestamps carry it).
inline constexpr std::uint64_t sim_epoch_ms = 1'700'000'000'000;

// Starts the cluster `options` describe (topology, split keys, ...), with the settings above
// filled in. Asserts that it starts: a simulated cluster that cannot start is a bug.
std::unique_ptr<actors::cluster> start_simulated_cluster(runtime& rt, actors::cluster_options options,
                                                         std::uint64_t seed, std::mt19937_64& rng,
                                                         raft_checks& checks);

}  // namespace meridian::sim
