// One seed of `meridian sim shards` (see shard_sim.hpp): the sharded cluster, its writers, the
// schedule's steps and the checks at the end. Owned by the seed's runner and driven from the
// simulator's thread; everything inside runs on the runtime's one scheduler thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "check/set_checker.hpp"
#include "sim/raft_checks.hpp"
#include "sim/shard_workload.hpp"

namespace meridian::sim {

using directory_records = std::vector<actors::shard_record>;

// What a seed measured, for --verbose and the summary line.
struct shard_figures {
  double election_ms = 0;
  // Per shard, ms from cutting a datacenter off to the first replicated write through the router
  // begun after the cut (the meta shard's: the timestamp oracle's first timestamp), and to the
  // first acknowledged transaction.
  std::vector<double> replicated_ms;
  std::vector<double> oracle_ms;
  std::vector<double> transaction_ms;
  double write_bound_ms = 0;
  std::size_t splits_requested = 0, leader_moves = 0, shards = 0, proposals = 0;
  double replace_ms = 0;
  std::map<std::string, std::size_t> no_quorum_errors;  // adds that failed, by error name
  check::set_summary set;
};

// One request straight through a writer's router: a write that changes nothing, or for the meta
// shard a timestamp from the oracle it hosts.
struct router_probe {
  shard_id shard = 0;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = -1;  // -1: no answer yet
  std::optional<error> failure;
};
using probe_log = std::shared_ptr<std::vector<router_probe>>;

class shard_world {
 public:
  shard_world(runtime& rt, std::uint64_t seed);
  ~shard_world();
  shard_world(const shard_world&) = delete;
  shard_world& operator=(const shard_world&) = delete;

  void run_schedule();
  void finish_and_check();

  std::vector<std::string> violations;
  shard_figures fig;
  const check::history& history() const { return writers_->history(); }

 private:
  std::size_t dc_of(node_id n) const { return cluster_->topo().find(n)->dc; }
  // A random writer whose node is up and outside `dcs`.
  std::size_t writer_outside(const std::vector<std::size_t>& dcs);
  std::optional<directory_records> load_directory(std::size_t writer);
  void fail(std::string why) { violations.push_back(std::move(why)); }
  void prefer_home_dc();
  void churn(std::chrono::nanoseconds span);
  void split_a_shard();
  void move_a_leader();
  // shard_isolation.cpp
  void isolate_one_dc();
  double write_bound_ms() const;
  void judge_one_dc(std::size_t dc, const std::map<shard_id, double>& replicated,
                    const std::map<shard_id, double>& transactions);
  void isolate_two_dcs();
  void judge_routers_without_quorum(const directory_records& dir, const probe_log& log);
  void probe_router(std::size_t writer, const actors::shard_record& r, const probe_log& log);
  // shard_world.cpp
  void replace_a_node();
  void drain_and_read();
  // Waits until no shard is due to split by size and every shard has a leader.
  void quiesce();

  runtime& rt_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::size_t home_dc_ = 0;
  raft_checks checks_;
  std::unique_ptr<actors::cluster> cluster_;
  std::unique_ptr<set_writers> writers_;
};

// Per shard, ms from `cut_ns` to the first successful probe begun after it; -1 when none.
std::map<shard_id, double> first_probes_ms(const std::vector<router_probe>& log,
                                           const directory_records& dir, std::int64_t cut_ns);

}  // namespace meridian::sim
