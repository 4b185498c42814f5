// The transaction simulator; see txn_sim.hpp. Liveness, stated: once every fault is healed at
// time H, no operation invoked after H + B ends with an unknown outcome, and at least one
// operation succeeds after H + B, where B = 3 x (2 x election timeout) + 2 s.
#include "sim/txn_sim.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "actors/cluster.hpp"
#include "common/process_memory.hpp"
#include "sim/nemesis.hpp"
#include "sim/raft_checks.hpp"
#include "sim/sim_cluster.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/txn_client.hpp"
#include "sim/txn_workloads.hpp"

namespace meridian::sim {
namespace {

using namespace std::chrono;
using check::op_type;

struct client_slot {
  txn_client client;
  std::int64_t process = 0;
  bool busy = false;  // an operation is in flight
  std::uint64_t generation = 0;
};

class txn_world {
 public:
  txn_world(runtime& rt, std::uint64_t seed, const txn_sim_options& o)
      : rt_(rt), rng_(seed * 6364136223846793005ull + 1442695040888963407ull),
        workload_(make_workload(o.workload)) {
    actors::cluster_options c;
    c.split_keys = workload_->split_keys();
    // Garbage collection at a pace that makes it run under the faults: every 2 s, keeping 3 s.
    c.gc.interval = std::chrono::seconds(2);
    c.gc.policy.retention_ms = 3'000;
    cluster_ = start_simulated_cluster(rt_, c, seed, rng_, checks_);
    for (int i = 0; i < o.clients; ++i) add_client();
  }

  ~txn_world() {
    for (auto& s : clients_) caf::anon_send_exit(s.client.handle, caf::exit_reason::kill);
    cluster_.reset();
    rt_.run_ready();
  }

  status setup() {
    bool done = false;
    status outcome = error(errc::timeout, "setup did not finish");
    post(clients_.front().client, [this, &done, &outcome] {
      workload_->setup(**clients_.front().client.engine, [&done, &outcome](status s) {
        outcome = s;
        done = true;
      });
    });
    for (int i = 0; i < 600 && !done; ++i) rt_.run_until(rt_.now() + 100ms);
    return outcome;
  }

  void start_ops() {
    for (std::size_t i = 0; i < clients_.size(); ++i) schedule(i);
  }
  void stop_ops() { stopped_ = true; }

  void crash_coordinator() {
    std::size_t i = rng_() % clients_.size();
    client_slot& s = clients_[i];
    caf::anon_send_exit(s.client.handle, caf::exit_reason::kill);
    if (s.busy) record(s, op_type::info, pending_[i].second, pending_[i].first);
    rt_.note("coordinator of process " + std::to_string(s.process) + " crashed");
    clients_[i] = make_slot();
    schedule(i);
  }

  runtime& rt_;
  std::mt19937_64 rng_;
  std::unique_ptr<txn_workload> workload_;
  raft_checks checks_;
  std::unique_ptr<actors::cluster> cluster_;
  std::vector<client_slot> clients_;
  std::vector<std::pair<std::string, check::json>> pending_;
  check::history history_;
  bool stopped_ = false;
  std::int64_t next_process_ = 0;

 private:
  client_slot make_slot() {
    auto nodes = cluster_->nodes();
    node_id home = nodes[rng_() % nodes.size()];
    client_slot s;
    s.client = spawn_txn_client(rt_.system(), *cluster_, home);
    s.process = next_process_++;
    return s;
  }
  void add_client() {
    clients_.push_back(make_slot());
    pending_.emplace_back();
  }
  void record(const client_slot& s, op_type type, const check::json& value, const std::string& f) {
    history_.push_back(check::operation{s.process, type, f, value, rt_.now_ns()});
  }
  void schedule(std::size_t i) {
    if (stopped_) return;
    auto delay = milliseconds(1 + rng_() % 200);
    std::uint64_t generation = ++clients_[i].generation;
    auto handle = clients_[i].client;
    post(handle, [this, i, delay, generation] {
      (*clients_[i].client.io)->after(static_cast<std::uint64_t>(delay.count()),
                                      [this, i, generation] { start(i, generation); });
    });
  }
  void start(std::size_t i, std::uint64_t generation) {
    client_slot& s = clients_[i];
    if (stopped_ || s.generation != generation) return;
    auto [f, value] = workload_->next(rng_);
    pending_[i] = {f, value};
    s.busy = true;
    record(s, op_type::invoke, value, f);
    workload_->run(**s.client.engine, f, value, [this, i, generation, f = f](op_result r) {
      client_slot& slot = clients_[i];
      if (slot.generation != generation) return;  // its coordinator was replaced meanwhile
      slot.busy = false;
      record(slot, r.type, r.value, f);
      if (r.type == op_type::info) slot.process = next_process_++;
      schedule(i);
    });
  }
};

struct seed_outcome {
  std::vector<std::string> violations;
  std::vector<std::string> undecided;  // what the checker could not decide (its size bounds)
  double simulated_seconds = 0;
  std::size_t ok = 0, failed = 0, unknown = 0;
  std::uint64_t gc_rounds = 0, gc_removed = 0;
  std::string trace;
};

seed_outcome run_seed(std::uint64_t seed, const txn_sim_options& o) {
  seed_outcome out;
  runtime rt;
  txn_world world(rt, seed, o);
  rt.run_until(seconds(15));  // elections, the oracle
  if (auto s = world.setup(); !s) {
    out.violations.push_back("setup failed: " + s.err().to_string());
    out.trace = rt.trace();
    return out;
  }
  // Operations start a few seconds after the setup committed, so that stale reads (a moment in
  // the past) never reach back before it.
  rt.run_until(rt.now() + seconds(3));
  world.start_ops();
  nemesis chaos(rt, *world.cluster_->net(), world.cluster_->nodes(), seed * 977 + 5,
                nemesis_hooks{[&](node_id n) {
                                world.cluster_->crash(n);
                                rt.run_ready();
                                for (auto s : world.cluster_->shards()) world.checks_.on_restart(n, s);
                              },
                              [&](node_id n) { (void)world.cluster_->restart(n); },
                              [&] { world.crash_coordinator(); }});
  auto fault_end = rt.now() + duration_cast<nanoseconds>(duration<double>(o.fault_seconds));
  chaos.run_faults_until(fault_end);
  chaos.heal_all();
  auto election_ms = world.cluster_->raft_config().election_timeout_ticks *
                     world.cluster_->raft_config().tick_ms;
  std::int64_t settled = rt.now_ns() + duration_cast<nanoseconds>(milliseconds(6 * election_ms + 2000)).count();
  rt.run_until(nanoseconds(settled) + seconds(15));
  world.stop_ops();
  rt.run_until(rt.now() + seconds(40));  // let in-flight operations finish
  for (auto s : world.cluster_->shards()) {
    std::vector<const actors::replica*> replicas;
    for (const auto& r : world.cluster_->replicas(s)) replicas.push_back(r.get());
    world.checks_.check_logs(s, replicas);
  }
  out.violations = world.checks_.violations();
  auto verdict = world.workload_->check(world.history_);
  auto& verdict_lines = verdict.undecided() ? out.undecided : out.violations;
  for (const auto& a : verdict.anomalies) verdict_lines.push_back(o.workload + ": " + a);
  bool progressed = false;
  for (const auto& op : world.history_) {
    if (op.time_ns <= settled) continue;
    if (op.type == op_type::ok) progressed = true;
    if (op.type == op_type::info) {
      out.violations.push_back("liveness: an operation ended with an unknown outcome after the "
                               "cluster healed and settled");
      break;
    }
  }
  if (!progressed) out.violations.push_back("liveness: no operation succeeded after healing");
  for (const auto& op : world.history_) {
    out.ok += op.type == op_type::ok;
    out.failed += op.type == op_type::fail;
    out.unknown += op.type == op_type::info;
  }
  if (!o.history_dir.empty()) {
    std::filesystem::create_directories(o.history_dir);
    auto s = check::write_history_file(
        o.history_dir + "/" + o.workload + "-" + std::to_string(seed) + ".jsonl", world.history_);
    if (!s) out.violations.push_back("could not write the history: " + s.err().message());
  }
  out.gc_rounds = world.cluster_->gc().rounds;
  out.gc_removed = world.cluster_->gc().versions_removed;
  out.simulated_seconds = static_cast<double>(rt.now_ns()) / 1e9;
  if (!out.violations.empty()) out.trace = rt.trace();
  return out;
}

// The command-line options a replay needs: every one that shapes a seed's run, or the replay
// would run another history.
std::string replay_options(const txn_sim_options& o) {
  std::string extra = "--workload " + o.workload;
  txn_sim_options defaults;
  if (o.clients != defaults.clients) extra += " --clients " + std::to_string(o.clients);
  extra += fault_seconds_option(o.fault_seconds, defaults.fault_seconds);
  return extra;
}

}  // namespace

int run_txn_sim(const txn_sim_options& o) {
  if (!make_workload(o.workload)) {
    std::fprintf(stderr, "sim txn: unknown workload '%s' (bank, append, register)\n",
                 o.workload.c_str());
    return 2;
  }
  auto wall_start = steady_clock::now();
  std::uint64_t violations = 0;
  std::uint64_t undecided = 0;  // seeds whose history was past what the checker decides
  double simulated = 0;
  std::printf("sim txn: workload %s, seeds %llu..%llu, %.0f s of faults per seed\n",
              o.workload.c_str(), static_cast<unsigned long long>(o.seed_start),
              static_cast<unsigned long long>(o.seed_start + o.seeds - 1), o.fault_seconds);
  std::fflush(stdout);
  std::string extra = replay_options(o);
  for (std::uint64_t i = 0; i < o.seeds; ++i) {  // start + seeds may wrap at 2^64: count instead
    std::uint64_t seed = o.seed_start + i;
    arm_crash_banner(seed, replay_command("txn", seed, extra));
    seed_outcome r = run_seed(seed, o);
    simulated += r.simulated_seconds;
    if (!r.violations.empty()) {
      ++violations;
      print_violations(seed, r.violations, r.trace, replay_command("txn", seed, extra));
    } else if (!r.undecided.empty()) {
      ++undecided;
      std::printf("UNCHECKED seed %llu: %s\n  replay: %s\n", static_cast<unsigned long long>(seed),
                  r.undecided.front().c_str(), replay_command("txn", seed, extra).c_str());
    } else if (o.verbose) {
      std::printf("seed %llu: ok (%zu ok, %zu failed, %zu unknown; gc: %llu rounds, %llu "
                  "versions removed)\n",
                  static_cast<unsigned long long>(seed), r.ok, r.failed, r.unknown,
                  static_cast<unsigned long long>(r.gc_rounds),
                  static_cast<unsigned long long>(r.gc_removed));
    }
    // A soak's footprint must stay flat: the resident size, every 250 seeds.
    if ((seed - o.seed_start + 1) % 250 == 0) {
      std::printf("  after %llu seeds: resident %.1f MiB (peak %.1f MiB)\n",
                  static_cast<unsigned long long>(seed - o.seed_start + 1),
                  static_cast<double>(resident_kib()) / 1024,
                  static_cast<double>(peak_resident_kib()) / 1024);
    }
    std::fflush(stdout);
  }
  std::printf("seeds: %llu, violations: %llu, simulated hours: %.2f, wall seconds: %.1f\n",
              static_cast<unsigned long long>(o.seeds), static_cast<unsigned long long>(violations),
              simulated / 3600, duration<double>(steady_clock::now() - wall_start).count());
  if (undecided > 0) {
    std::printf("unchecked seeds: %llu (their histories exceed the checker's bounds: fewer "
                "--clients or --fault-seconds)\n",
                static_cast<unsigned long long>(undecided));
  }
  if (violations > 0) return 1;
  return undecided > 0 ? 3 : 0;
}

}  // namespace meridian::sim
