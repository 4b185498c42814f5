// The simulator's fault schedule (Jepsen's nemesis): from a seed, a sequence of faults with
// durations — isolate a datacenter, a bridge partition, a majority ring (five or more nodes),
// crash a node and restart it with its unsynced writes lost, a flaky network (drop, duplicate,
// delay and reorder) — separated by quiet periods, and everything healed at the end. It acts
// between runs of the scheduler, so it is as deterministic as the actors. Single-threaded.
#pragma once

#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "actors/transport.hpp"
#include "sim/sim_runtime.hpp"

namespace meridian::sim {

struct nemesis_hooks {
  std::function<void(node_id)> crash;    // stop the node's actors and drop unsynced writes
  std::function<void(node_id)> restart;  // reopen the node's replicas from storage
  // Kill a transaction coordinator mid-flight (optional): its locks are left to resolution.
  std::function<void()> crash_coordinator;
};

struct nemesis_options {
  std::chrono::milliseconds min_fault{2'000};
  std::chrono::milliseconds max_fault{15'000};
  std::chrono::milliseconds max_quiet{4'000};
  bool crashes = true;
  bool partitions = true;
  bool flaky_network = true;
};

// Scripted faults, for schedules that choose their own (the shard simulator): cuts every link
// between the nodes of each listed datacenter and every node outside it, so each listed
// datacenter is alone (two listed of three: no datacenter holds a quorum). heal() undoes it.
void isolate_datacenters(actors::transport& net, const std::vector<std::size_t>& dcs);

class nemesis {
 public:
  nemesis(runtime& rt, actors::transport& net, std::vector<node_id> nodes, std::uint64_t seed,
          nemesis_hooks hooks, nemesis_options options = {});

  // Runs the simulation with faults until `end`, then heals every fault and restarts every
  // crashed node. Returns the number of faults injected.
  std::size_t run_faults_until(std::chrono::nanoseconds end);
  void heal_all();

 private:
  // Starts one fault; returns a description and the action that ends it.
  std::pair<std::string, std::function<void()>> start_fault();

  runtime& rt_;
  actors::transport& net_;
  std::vector<node_id> nodes_;
  std::mt19937_64 rng_;
  nemesis_hooks hooks_;
  nemesis_options options_;
  std::vector<node_id> crashed_;
};

}  // namespace meridian::sim
