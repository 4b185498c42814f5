// The register workload's clients (DESIGN.md workload `register`): each client actor is a
// Jepsen process that reads, writes and compare-and-sets integer registers spread over the
// simulated shards, records every operation in the history (invoke, then ok / fail / info), and
// follows leader hints. A timeout or a crash of the replica it asked is `info` (outcome unknown),
// after which the client continues under a new process id. Single-threaded (the simulator's).
#pragma once

#include <caf/fwd.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <random>

#include "actors/transport.hpp"
#include "check/history.hpp"
#include "sim/sim_runtime.hpp"

namespace meridian::sim {

struct register_workload {
  runtime* rt = nullptr;
  actors::transport* net = nullptr;
  std::vector<shard_id> shards;
  std::vector<node_id> nodes;
  int keys_per_shard = 3;
  std::chrono::milliseconds timeout{4'000};
  std::chrono::milliseconds max_think{300};
  check::history history;
  std::mt19937_64 rng;
  std::int64_t next_value = 1;
  std::int64_t next_process = 0;
  bool stopped = false;
  std::map<shard_id, node_id> leader_hint;
  // Latest completion time of a successful write and read per shard (the liveness check).
  std::map<shard_id, std::int64_t> last_ok_write_ns;
  std::map<shard_id, std::int64_t> last_ok_read_ns;
  std::uint64_t ok = 0, failed = 0, unknown = 0;
};

void spawn_register_clients(caf::actor_system& system, std::shared_ptr<register_workload> w,
                            int clients);

}  // namespace meridian::sim
