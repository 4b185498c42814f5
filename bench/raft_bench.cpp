// `meridian bench raft`; see raft_bench.hpp.
#include "bench/raft_bench.hpp"

#include <caf/all.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "actors/messages.hpp"
#include "actors/register_machine.hpp"
#include "actors/replica_actor.hpp"
#include "bench/bench_util.hpp"
#include "sim/sim_runtime.hpp"
#include "storage/lmdb_engine.hpp"
#include "storage/memory_engine.hpp"

namespace meridian::bench {
namespace {

using namespace std::chrono;
using actors::propose_atom;
using actors::shard_reply;
using actors::status_atom;
using actors::transfer_atom;

struct group {
  std::vector<std::shared_ptr<actors::replica>> cores;
  std::vector<caf::actor> handles;
  std::vector<caf::actor> persisters;  // real time only, one per node as in the cluster
};

// Three replicas of shard 1 on nodes 1..3 (one per datacenter of `topo`).
template <class EngineFor>
group start_group(caf::actor_system& sys, std::shared_ptr<actors::transport> net,
                  const raft::config& cfg, microseconds tick, EngineFor engine_for,
                  bool with_persisters) {
  group g;
  for (node_id n : {1, 2, 3}) {
    actors::replica_options o;
    o.id = n;
    o.shard = 1;
    o.raft = cfg;
    o.raft.random_seed = n;
    storage::kv_engine& e = engine_for(n);
    auto core = actors::replica::open(o, e, std::make_unique<actors::register_machine>(e),
                                      raft::conf_state{{1, 2, 3}, {}});
    MERIDIAN_ASSERT(core.ok(), core.ok() ? "" : core.err().to_string());
    g.cores.emplace_back(std::move(*core));
    auto args = actors::make_replica_spawn(g.cores.back(), net, tick, nullptr);
    if (with_persisters) {
      g.persisters.push_back(
          actors::spawn_persister(sys, true, std::make_shared<std::atomic<bool>>(true)));
      args.persister = g.persisters.back();
    }
    g.handles.push_back(actors::spawn_replica(sys, std::move(args)));
  }
  return g;
}

// ---- simulated commit latency --------------------------------------------------------------

struct latency_client_state {
  caf::actor leader;
  int remaining = 0;
  std::vector<double>* latencies_ms = nullptr;
  sim::runtime* rt = nullptr;
  std::int64_t sent_ns = 0;
  static inline const char* name = "meridian.bench.latency_client";
};

caf::behavior latency_client(caf::stateful_actor<latency_client_state>* self) {
  return {[=](caf::atom_constant<caf::atom("go")>) {
    auto& st = self->state;
    if (st.remaining-- <= 0) return;
    st.sent_ns = st.rt->now_ns();
    self->request(st.leader, seconds(10), propose_atom::value,
                  actors::register_machine::write_command("k", "v"))
        .then([=](shard_reply& r) {
          auto& s = self->state;
          if (r.code == 0) s.latencies_ms->push_back(static_cast<double>(s.rt->now_ns() - s.sent_ns) / 1e6);
          self->delayed_send(self, milliseconds(20), caf::atom_constant<caf::atom("go")>::value);
        });
  }};
}

void simulated_latency(const raft_bench_options& o) {
  sim::runtime rt;
  topology topo = topology::default_geo();
  auto net = std::make_shared<actors::transport>(topo, 1);
  std::vector<std::vector<std::uint64_t>> rtt;
  for (std::size_t a = 0; a < 3; ++a) {
    rtt.emplace_back();
    for (std::size_t b = 0; b < 3; ++b) rtt.back().push_back(static_cast<std::uint64_t>(topo.latency.rtt(a, b)));
  }
  auto cfg = raft::with_wan_timing(raft::config{}, rtt, 100);
  std::map<node_id, std::unique_ptr<storage::memory_engine>> engines;
  auto g = start_group(
      rt.system(), net, *cfg, microseconds(cfg->tick_ms * 1000),
      [&](node_id n) -> storage::kv_engine& {
        engines[n] = std::make_unique<storage::memory_engine>();
        return *engines[n];
      },
      false);
  rt.run_until(seconds(30));
  // Move leadership to us-east (node 1): the client and the leader sit there.
  for (auto& h : g.handles) caf::anon_send(h, transfer_atom::value, node_id{1});
  rt.run_until(seconds(40));
  std::vector<double> latencies;
  auto client = rt.system().spawn(latency_client);
  auto ptr = caf::actor_cast<caf::abstract_actor*>(client);
  auto& st = dynamic_cast<caf::stateful_actor<latency_client_state>&>(*ptr).state;
  st.leader = g.handles[0];
  st.remaining = o.simulated_proposals;
  st.latencies_ms = &latencies;
  st.rt = &rt;
  caf::anon_send(client, caf::atom_constant<caf::atom("go")>::value);
  rt.run_until(seconds(40 + o.simulated_proposals));
  double quorum_rtt = topo.latency.rtt(0, 1);  // us-east's nearest peer completes the quorum
  std::printf("  simulated commit latency at the leader (us-east), %zu proposals:\n",
              latencies.size());
  std::printf("    p50 %.1f ms, p99 %.1f ms; quorum round trip %.0f ms; p50 / quorum RTT = %.2f "
              "(target <= 1.10)\n",
              percentile(latencies, 0.5), percentile(latencies, 0.99), quorum_rtt,
              percentile(latencies, 0.5) / quorum_rtt);
  for (auto& h : g.handles) caf::anon_send_exit(h, caf::exit_reason::kill);
  caf::anon_send_exit(client, caf::exit_reason::kill);
}

// ---- real-time throughput ------------------------------------------------------------------

struct driver_state {
  caf::actor leader;
  steady_clock::time_point deadline;
  std::string command;
  std::vector<double> latencies_ms;
  std::uint64_t errors = 0;
  int outstanding = 0;
  caf::response_promise done;
  static inline const char* name = "meridian.bench.raft_driver";
};

using go_atom = caf::atom_constant<caf::atom("go")>;

void propose_one(caf::stateful_actor<driver_state>* self) {
  auto& st = self->state;
  if (steady_clock::now() >= st.deadline) {
    if (--st.outstanding == 0) st.done.deliver(st.errors);
    return;
  }
  auto sent = steady_clock::now();
  // No CAF timeout: each would sit in the actor clock until it fell due, answered or not (at
  // ~40k proposals/s, 10 s of them: ~50 MB and the clock thread's time). The run's own deadline
  // bounds a proposal that is never answered.
  self->request(st.leader, caf::infinite, propose_atom::value, st.command)
      .then(
          [=](shard_reply& r) {
            auto& s = self->state;
            if (r.code == 0) {
              s.latencies_ms.push_back(duration<double, std::milli>(steady_clock::now() - sent).count());
            } else {
              ++s.errors;
            }
            propose_one(self);
          },
          [=](caf::error&) {
            ++self->state.errors;
            propose_one(self);
          });
}

caf::behavior driver(caf::stateful_actor<driver_state>* self) {
  return {[=](go_atom, int proposers) -> caf::result<std::uint64_t> {
    self->state.done = self->make_response_promise();
    self->state.outstanding = proposers;
    for (int i = 0; i < proposers; ++i) propose_one(self);
    return self->state.done;
  }};
}

caf::actor wait_for_leader(caf::scoped_actor& self, const group& g) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    for (const auto& h : g.handles) {
      caf::actor found;
      self->request(h, seconds(1), status_atom::value)
          .receive([&](actors::replica_status& s) {
            if (s.role == static_cast<std::uint8_t>(raft::role::leader)) found = h;
          }, [](caf::error&) {});
      if (found) return found;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return caf::actor();
}

}  // namespace

replicated_write_figures measure_replicated_writes(const raft_bench_options& o) {
  auto result = run_in_child([&](const std::function<void(const std::string&, double)>& report) {
    caf::actor_system_config cfg;
    actors::configure_threaded_system(cfg);  // the same workers as the cluster it is a baseline for
    caf::actor_system sys{cfg};
    topology topo = topology::default_geo();
    topo.latency.wan_scale = 0;
    auto net = std::make_shared<actors::transport>(topo, 1);
    raft::config rc;
    rc.tick_ms = 10;
    rc.election_timeout_ticks = 10;
    std::map<node_id, std::unique_ptr<storage::lmdb_engine>> engines;
    std::string base = o.dir + "/meridian-bench-raft-" + std::to_string(::getpid());
    auto g = start_group(
        sys, net, rc, microseconds(10'000),
        [&](node_id n) -> storage::kv_engine& {
          auto e = storage::lmdb_engine::open(base + "-" + std::to_string(n));
          MERIDIAN_ASSERT(e.ok(), e.ok() ? "" : e.err().to_string());
          engines[n] = std::move(*e);
          return *engines[n];
        },
        true);
    caf::scoped_actor self{sys};
    caf::actor leader = wait_for_leader(self, g);
    MERIDIAN_ASSERT(static_cast<bool>(leader), "no leader was elected");
    auto d = sys.spawn(driver);
    auto& st = dynamic_cast<caf::stateful_actor<driver_state>&>(*caf::actor_cast<caf::abstract_actor*>(d)).state;
    st.leader = leader;
    st.command = actors::register_machine::write_command("key", std::string(o.command_bytes, 'x'));
    auto t0 = steady_clock::now();
    st.deadline = t0 + duration_cast<steady_clock::duration>(duration<double>(o.seconds));
    std::uint64_t errors = 0;
    self->request(d, seconds(static_cast<long>(o.seconds) + 30), go_atom::value, o.proposers)
        .receive([&](std::uint64_t e) { errors = e; }, [&](caf::error&) { errors = ~0ull; });
    double elapsed = duration<double>(steady_clock::now() - t0).count();
    report("ops_s", static_cast<double>(st.latencies_ms.size()) / elapsed);
    report("p50_ms", percentile(st.latencies_ms, 0.5));
    report("p99_ms", percentile(st.latencies_ms, 0.99));
    report("errors", static_cast<double>(errors));
    for (auto& h : g.handles) caf::anon_send_exit(h, caf::exit_reason::kill);
    caf::anon_send_exit(d, caf::exit_reason::kill);
    // A replica may be mid-flush on a worker thread: closing its engine under it would crash
    // the child after it reported (and the run would count as failed).
    self->wait_for(g.handles);
    for (auto& p : g.persisters) caf::anon_send_exit(p, caf::exit_reason::kill);
    self->wait_for(g.persisters);
    g.cores.clear();
    engines.clear();
    for (node_id n : {1, 2, 3}) std::filesystem::remove_all(base + "-" + std::to_string(n));
  });
  return replicated_write_figures{result.ok, field(result, "ops_s"), field(result, "p50_ms"),
                                  field(result, "p99_ms"), field(result, "errors"),
                                  result.peak_rss_kib};
}

namespace {

// False when the run failed (no figures).
bool real_time(const raft_bench_options& o) {
  auto figures = measure_replicated_writes(o);
  if (!figures.ok) {
    std::printf("  real-time run failed\n");
    return false;
  }
  std::printf("  real time, 3 replicas in one process, fsync on, WAN latency off, %d proposers of "
              "%zu-byte commands, %.0f s:\n",
              o.proposers, o.command_bytes, o.seconds);
  std::printf("RESULT system=meridian members=3 mode=conc clients=%d value_bytes=%zu ops_s=%.1f "
              "p50_ms=%.2f p99_ms=%.2f peak_rss_mib=%.1f errors=%.0f\n",
              o.proposers, o.command_bytes, figures.ops_s, figures.p50_ms, figures.p99_ms,
              figures.peak_rss_kib / 1024.0, figures.errors);
  return true;
}

}  // namespace

int run_raft_bench(const raft_bench_options& options) {
  std::printf("bench raft\n");
  simulated_latency(options);
  return real_time(options) ? 0 : 1;
}

}  // namespace meridian::bench
