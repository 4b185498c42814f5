// The Raft simulator; see raft_sim.hpp. Liveness, stated: once every fault is healed at time H,
// every shard has a leader and answers within B = 3 x (2 x election timeout) + 1 s; no operation
// invoked after H + B ends with an unknown outcome, and each shard completes at least one read
// and one write after H + B.
#include "sim/raft_sim.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "actors/messages.hpp"
#include "actors/register_machine.hpp"
#include "actors/replica_actor.hpp"
#include "check/register_checker.hpp"
#include "sim/nemesis.hpp"
#include "sim/raft_checks.hpp"
#include "sim/register_client.hpp"
#include "storage/memory_engine.hpp"

namespace meridian::sim {
namespace {

using namespace std::chrono;

struct seed_outcome {
  std::vector<std::string> violations;
  double simulated_seconds = 0;
  std::size_t operations = 0;
  std::size_t faults = 0;
  std::uint64_t ok = 0, failed = 0, unknown = 0, leaders = 0;
  std::size_t events = 0;
  std::string trace;
};

struct replica_slot {
  std::unique_ptr<storage::memory_engine> engine;
  std::shared_ptr<actors::replica> core;
  caf::actor handle;
};

class raft_world {
 public:
  // Every third seed runs five-replica groups over five datacenters, where the nemesis's
  // majority ring is a real partition (with three replicas it cuts nothing).
  raft_world(runtime& rt, std::uint64_t seed, int shards)
      : rt_(rt), topo_(seed % 3 == 0 ? topology::wide_geo() : topology::default_geo()),
        net_(std::make_shared<actors::transport>(topo_, seed)), rng_(seed * 7919 + 13) {
    std::vector<std::vector<std::uint64_t>> rtt;
    for (std::size_t a = 0; a < topo_.latency.dcs.size(); ++a) {
      rtt.emplace_back();
      for (std::size_t b = 0; b < topo_.latency.dcs.size(); ++b) {
        rtt.back().push_back(static_cast<std::uint64_t>(topo_.latency.rtt(a, b)));
      }
    }
    raft::config base;
    base.reads = seed % 2 == 0 ? raft::read_mode::lease : raft::read_mode::safe;
    auto cfg = raft::with_wan_timing(base, rtt, /*clock_drift_ms=*/100);
    MERIDIAN_ASSERT(cfg.ok(), "WAN timing for the default geography");
    raft_ = *cfg;
    // Timer jitter, capped by the lease's drift bound: two nodes' tick rates differ by less
    // than max_clock_drift_ticks over one election timeout.
    double max_skew = static_cast<double>(raft_.max_clock_drift_ticks) /
                      (2.5 * static_cast<double>(raft_.election_timeout_ticks));
    std::uniform_real_distribution<double> skew(-max_skew, max_skew);
    for (const auto& n : topo_.nodes) {
      nodes_.push_back(n.id);
      tick_[n.id] = microseconds(static_cast<long>(static_cast<double>(raft_.tick_ms) * 1000 *
                                                   (1 + skew(rng_))));
    }
    checks_.set_note([this](const std::string& what) { rt_.note(what); });
    for (int s = 1; s <= shards; ++s) shards_.push_back(static_cast<shard_id>(s));
    for (node_id n : nodes_) {
      for (shard_id s : shards_) {
        slots_[{n, s}].engine = std::make_unique<storage::memory_engine>();
        start(n, s);
      }
    }
  }

  void start(node_id n, shard_id s) {
    auto& slot = slots_[{n, s}];
    actors::replica_options o;
    o.id = n;
    o.shard = s;
    o.raft = raft_;
    o.raft.random_seed = rng_();
    o.compact_after_entries = 300;  // small, so snapshots and compaction happen under test
    o.keep_entries = 50;
    o.record_applied = true;
    auto core = actors::replica::open(o, *slot.engine,
                                      std::make_unique<actors::register_machine>(*slot.engine),
                                      raft::conf_state{nodes_, {}});
    MERIDIAN_ASSERT(core.ok(), core.ok() ? "" : core.err().to_string());
    slot.core = std::shared_ptr<actors::replica>(std::move(*core));
    slot.handle = actors::spawn_replica(
        rt_.system(), actors::make_replica_spawn(slot.core, net_, tick_[n], &checks_));
  }

  void crash(node_id n) {
    for (shard_id s : shards_) {
      auto& slot = slots_[{n, s}];
      net_->unregister_endpoint(n, s);
      caf::anon_send_exit(slot.handle, caf::exit_reason::kill);
      slot.handle = caf::actor();
    }
    rt_.run_ready();
    for (shard_id s : shards_) {
      auto& slot = slots_[{n, s}];
      slot.core.reset();
      slot.engine->lose_power();
      checks_.on_restart(n, s);
    }
  }

  void restart(node_id n) {
    for (shard_id s : shards_) start(n, s);
  }

  void check_logs() {
    for (shard_id s : shards_) {
      std::vector<const actors::replica*> replicas;
      for (node_id n : nodes_) {
        if (slots_[{n, s}].core) replicas.push_back(slots_[{n, s}].core.get());
      }
      checks_.check_logs(s, replicas);
    }
  }

  void stop() {
    for (auto& [key, slot] : slots_) {
      if (slot.handle) caf::anon_send_exit(slot.handle, caf::exit_reason::kill);
    }
    rt_.run_ready();
  }

  runtime& rt_;
  topology topo_;
  std::shared_ptr<actors::transport> net_;
  std::mt19937_64 rng_;
  raft::config raft_;
  std::vector<node_id> nodes_;
  std::vector<shard_id> shards_;
  std::map<node_id, microseconds> tick_;
  std::map<std::pair<node_id, shard_id>, replica_slot> slots_;
  raft_checks checks_;
};

void check_liveness(const register_workload& w, const std::vector<shard_id>& shards,
                    std::int64_t settled_ns, std::vector<std::string>& violations) {
  for (const auto& op : w.history) {
    if (op.type == check::op_type::info && op.time_ns > settled_ns) {
      violations.push_back("liveness: an operation completed with an unknown outcome at " +
                           std::to_string(op.time_ns / 1'000'000) +
                           " ms, after the cluster had healed and settled");
      break;
    }
  }
  for (shard_id s : shards) {
    auto w_it = w.last_ok_write_ns.find(s);
    auto r_it = w.last_ok_read_ns.find(s);
    if (w_it == w.last_ok_write_ns.end() || w_it->second <= settled_ns ||
        r_it == w.last_ok_read_ns.end() || r_it->second <= settled_ns) {
      violations.push_back("liveness: shard " + std::to_string(s) +
                           " completed no read or no write after healing");
    }
  }
}

seed_outcome run_seed(std::uint64_t seed, const raft_sim_options& options) {
  seed_outcome out;
  runtime rt;
  raft_world world(rt, seed, options.shards);
  auto workload = std::make_shared<register_workload>();
  workload->rt = &rt;
  workload->net = world.net_.get();
  workload->shards = world.shards_;
  workload->nodes = world.nodes_;
  workload->rng.seed(seed * 31 + 7);
  spawn_register_clients(rt.system(), workload, options.clients);
  nemesis chaos(rt, *world.net_, world.nodes_, seed * 131 + 3,
                nemesis_hooks{[&](node_id n) { world.crash(n); },
                              [&](node_id n) { world.restart(n); }, {}});
  out.faults = chaos.run_faults_until(duration_cast<nanoseconds>(duration<double>(options.fault_seconds)));
  chaos.heal_all();
  std::int64_t healed = rt.now_ns();
  auto election_ms = world.raft_.election_timeout_ticks * world.raft_.tick_ms;
  nanoseconds bound = milliseconds(3 * 2 * election_ms + 1000);
  std::int64_t settled = healed + bound.count();
  rt.run_until(nanoseconds(settled) + seconds(15));
  workload->stopped = true;
  rt.run_until(rt.now() + workload->timeout * 2);
  world.check_logs();
  out.violations = world.checks_.violations();
  auto linear = check::check_registers(workload->history);
  for (const auto& a : linear.anomalies) out.violations.push_back("linearizability: " + a);
  check_liveness(*workload, world.shards_, settled, out.violations);
  out.simulated_seconds = static_cast<double>(rt.now_ns()) / 1e9;
  out.operations = linear.operations;
  out.ok = workload->ok;
  out.failed = workload->failed;
  out.unknown = workload->unknown;
  out.leaders = world.checks_.leaders_elected();
  if (!options.history_dir.empty()) {
    std::filesystem::create_directories(options.history_dir);
    auto s = check::write_history_file(
        options.history_dir + "/raft-register-" + std::to_string(seed) + ".jsonl", workload->history);
    if (!s) out.violations.push_back("could not write the history: " + s.err().message());
  }
  if (!out.violations.empty()) out.trace = rt.trace();
  world.stop();
  return out;
}

}  // namespace

int run_raft_sim(const raft_sim_options& options) {
  auto wall_start = steady_clock::now();
  std::uint64_t violations = 0;
  double simulated = 0;
  std::printf("sim raft: seeds %llu..%llu, %d shards x 3 datacenters (5 on every third seed), "
              "%.0f s of faults per seed\n",
              static_cast<unsigned long long>(options.seed_start),
              static_cast<unsigned long long>(options.seed_start + options.seeds - 1),
              options.shards, options.fault_seconds);
  std::fflush(stdout);
  // Every option that shapes a seed's run, or the replay would run another one.
  raft_sim_options defaults;
  std::string extra = fault_seconds_option(options.fault_seconds, defaults.fault_seconds);
  if (options.shards != defaults.shards) extra += " --shards " + std::to_string(options.shards);
  if (!extra.empty()) extra.erase(0, 1);
  for (std::uint64_t i = 0; i < options.seeds; ++i) {  // start + seeds may wrap at 2^64
    std::uint64_t seed = options.seed_start + i;
    arm_crash_banner(seed, replay_command("raft", seed, extra));
    seed_outcome r = run_seed(seed, options);
    simulated += r.simulated_seconds;
    if (!r.violations.empty()) {
      ++violations;
      print_violations(seed, r.violations, r.trace, replay_command("raft", seed, extra));
    } else if (options.verbose) {
      std::printf("seed %llu: ok, %zu operations (%llu ok, %llu failed, %llu unknown), %zu faults, "
                  "%llu leaders elected\n",
                  static_cast<unsigned long long>(seed), r.operations,
                  static_cast<unsigned long long>(r.ok), static_cast<unsigned long long>(r.failed),
                  static_cast<unsigned long long>(r.unknown), r.faults,
                  static_cast<unsigned long long>(r.leaders));
    }
    std::fflush(stdout);
  }
  std::printf("seeds: %llu, violations: %llu, simulated hours: %.2f, wall seconds: %.1f\n",
              static_cast<unsigned long long>(options.seeds),
              static_cast<unsigned long long>(violations), simulated / 3600,
              duration<double>(steady_clock::now() - wall_start).count());
  return violations == 0 ? 0 : 1;
}

}  // namespace meridian::sim
