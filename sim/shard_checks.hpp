// The checks `meridian sim shards` runs on a sharded cluster (issue 4), besides the set
// checker's verdict on the history: replicas converged (same applied index, byte-identical
// partitions by digest), keys stored where the directory routes them and committed exactly once,
// a directory that tiles the key space and names each shard's members, and the availability
// figures of a datacenter isolation (time to the first write per shard; the errors while no
// quorum exists). They read replica cores and engines directly, so they run on the simulator's
// thread between runs of the scheduler. Each returns violations as lines a person can act on.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "sim/shard_workload.hpp"

namespace meridian::sim {

// The running replica of `shard` that leads in the highest term, or null.
std::shared_ptr<actors::replica> leader_replica(const actors::cluster& c, shard_id shard);

struct convergence_report {
  std::size_t shards = 0;
  std::size_t replicas = 0;
  double waited_ms = 0;  // simulated time until the last shard was caught at one applied index
};

// Every shard's members (its leader's voters and learners) run, reach one applied index, and
// hold byte-identical state-machine partitions (storage::digest_partition over data, lock,
// write and meta: the applied index and term, membership, descriptor and safe_ts included —
// equal at an equal applied index, so nothing is excluded). Leaders keep proposing (safe_ts
// every second), so the simulation runs in small steps until each shard is caught between
// two commits, for at most `limit`.
std::vector<std::string> check_convergence(runtime& rt, const actors::cluster& c,
                                           std::chrono::nanoseconds limit,
                                           convergence_report* report = nullptr);

// On every replica of every data shard each stored key (data, lock, write) lies inside the
// shard's range; across shards (each leader's partition) every key has at most one committed
// put, and the keys that have one are exactly `visible` (the router's final read).
std::vector<std::string> check_placement(const actors::cluster& c,
                                         const std::vector<std::string>& visible);

// The most distinct keys any data shard's leader stores (a shard above its split limit is
// about to split); every shard must have a leader, else nullopt.
std::optional<std::size_t> most_keys_in_a_shard(const actors::cluster& c);

// The directory as a router loads it: its ranges tile the key space with no gap or overlap,
// each record matches its shard's leader (range, epoch) and lists its voters, and every running
// data shard is in it.
std::vector<std::string> check_directory(const actors::cluster& c,
                                         const std::vector<actors::shard_record>& directory);

// Per shard of `directory` (the routing at `cut_ns`), milliseconds from the cut to the first
// acknowledgement of an add begun after it by a writer that `counts`, -1 when none came.
std::map<shard_id, double> first_writes_ms(const std::vector<add_outcome>& outcomes,
                                           const std::vector<actors::shard_record>& directory,
                                           std::int64_t cut_ns,
                                           const std::function<bool(std::size_t writer)>& counts);

// While no datacenter holds a quorum ([cut_ns, heal_ns)): no add begun in the window is
// acknowledged before the heal, and every add that fails in the window fails with a retryable
// error a person can act on (unavailable, timeout or outcome_unknown).
std::vector<std::string> check_no_quorum_window(const std::vector<add_outcome>& outcomes,
                                                std::int64_t cut_ns, std::int64_t heal_ns);

}  // namespace meridian::sim
