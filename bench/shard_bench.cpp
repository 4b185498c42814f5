// `meridian bench shards`; see shard_bench.hpp. This file holds the routing-overhead part: the
// same single-key replicated write, a one-phase-commit prewrite command with a 100-byte value
// for a fresh key of data shard 1, sent two ways by the same number of concurrent writers in one
// real-time run (fsync on, WAN off), alternating short rounds so machine noise hits both:
//   router: a cluster client's actor_io — locate(key) in the cached shard directory, the leader
//     hint, command() with its one-way delay hops (zero here), deadline and retry machinery;
//   direct: propose_atom straight to the shard leader's replica actor, found once with
//     status_atom before the run.
// Both then do the same replicated work: the leader's prepare (max_ts, memory lock), one Raft
// entry fsynced on a quorum, applied as a one-phase commit, its answer decoded by the writer.
#include "bench/shard_bench.hpp"

#include <caf/all.hpp>

#include <cstdio>
#include <future>

#include "actors/shard_protocol.hpp"
#include "bench/bench_util.hpp"
#include "bench/live_cluster.hpp"

namespace meridian::bench {
namespace {

using namespace std::chrono;
using report_fn = std::function<void(const std::string&, double)>;

constexpr int writer_actors = 4;  // the writers of each path share this many actors
constexpr int rounds = 2;         // per path, alternating direct, router, direct, router
constexpr shard_id target_shard = 1;
constexpr std::size_t value_bytes = 100;

// One write, however it is sent: calls done(ok) on the sending actor's thread.
using write_fn = std::function<void(const std::string& key, std::function<void(bool)> done)>;

// A one-phase commit of one put: its own primary, at a start_ts fetched once (every key is
// fresh, so no write ever conflicts and none reads).
std::string one_pc_put(const std::string& key, std::uint64_t start_ts, std::uint64_t epoch) {
  actors::prewrite_cmd c;
  c.epoch = epoch;
  c.mode = actors::prewrite_mode::one_pc;
  c.request.txn.primary = key;
  c.request.txn.start_ts = start_ts;
  c.request.txn.ttl_ms = 3000;
  c.request.mutations.push_back(txn::mutation{storage::mutation_kind::put, key,
                                              std::string(value_bytes, 'v')});
  return actors::encode_command(c);
}

bool committed(std::string_view answer) { return actors::decode_answer(answer).ok(); }

// The writers hosted by one actor; touched only on its thread until `finished` is delivered.
struct writer_pool {
  write_fn write;
  std::string prefix;
  steady_clock::time_point deadline;
  std::vector<double> latencies_ms;
  std::uint64_t errors = 0;
  std::uint64_t next_key = 0;
  int running = 0;
  std::promise<void> finished;
};
using pool_ptr = std::shared_ptr<writer_pool>;

void write_next(const pool_ptr& p) {
  if (steady_clock::now() >= p->deadline) {
    if (--p->running == 0) p->finished.set_value();
    return;
  }
  auto sent = steady_clock::now();
  p->write(p->prefix + std::to_string(p->next_key++), [p, sent](bool ok) {
    if (ok) {
      p->latencies_ms.push_back(duration<double, std::milli>(steady_clock::now() - sent).count());
    } else {
      ++p->errors;
    }
    write_next(p);
  });
}

// An actor that runs jobs, and hands out its own pointer so jobs can send requests from it.
caf::behavior job_runner(caf::event_based_actor* self,
                         std::shared_ptr<caf::event_based_actor*> out) {
  *out = self;
  self->set_default_handler(caf::drop);
  return {[](actors::job& j) { j.run(); }};
}

struct path_figures {
  std::vector<double> latencies_ms;
  std::uint64_t errors = 0;
  double seconds = 0;
  bool done = true;
};

// One round of one path: `writers` writers spread over the actors, for `seconds`.
void run_round(const std::vector<caf::actor>& hosts, const std::vector<write_fn>& writes,
               const std::string& prefix, int writers, double round_seconds, path_figures& out) {
  auto t0 = steady_clock::now();
  auto deadline = t0 + duration_cast<steady_clock::duration>(duration<double>(round_seconds));
  std::vector<pool_ptr> pools;
  int n = static_cast<int>(hosts.size());
  for (int i = 0; i < n; ++i) {
    auto p = std::make_shared<writer_pool>();
    p->write = writes[static_cast<std::size_t>(i)];
    p->prefix = prefix + std::to_string(i) + "/";
    p->deadline = deadline;
    p->running = writers / n + (i < writers % n ? 1 : 0);
    if (p->running == 0) continue;
    caf::anon_send(hosts[static_cast<std::size_t>(i)], actors::job{[p] {
                     for (int k = 0, m = p->running; k < m; ++k) write_next(p);
                   }});
    pools.push_back(p);
  }
  for (auto& p : pools) {
    auto left = deadline + seconds(30) - steady_clock::now();
    out.done = p->finished.get_future().wait_for(left) == std::future_status::ready && out.done;
  }
  out.seconds += duration<double>(steady_clock::now() - t0).count();
  if (!out.done) return;  // a pool still running owns its figures
  for (auto& p : pools) {
    out.latencies_ms.insert(out.latencies_ms.end(), p->latencies_ms.begin(),
                            p->latencies_ms.end());
    out.errors += p->errors;
  }
}

std::uint64_t fetch_timestamp(live_cluster& c, const sim::txn_client& client) {
  auto ts = std::make_shared<std::uint64_t>(0);
  auto io = client.io;
  c.run(client, [io, ts](std::function<void()> done) {
    (*io)->timestamp([ts, done](result<std::uint64_t> t) {
      if (t) *ts = *t;
      done();
    });
  }, seconds(10));
  return *ts;
}

// The router path's writes: through each client's actor_io, routed per key.
std::vector<write_fn> router_writes(const std::vector<sim::txn_client>& clients,
                                    std::uint64_t start_ts) {
  std::vector<write_fn> out;
  for (const auto& client : clients) {
    auto io = client.io;
    out.push_back([io, start_ts](const std::string& key, std::function<void(bool)> done) {
      auto where = (*io)->locate(key);
      if (!where) return done(false);
      (*io)->command(where->shard, one_pc_put(key, start_ts, where->epoch),
                     [done](result<std::string> answer) {
                       done(answer.ok() && committed(*answer));
                     });
    });
  }
  return out;
}

// The direct path's writes: propose_atom from job_runner actors to the leader's replica actor.
std::vector<write_fn> direct_writes(live_cluster& c, caf::actor leader, std::uint64_t start_ts,
                                    std::uint64_t epoch, std::vector<caf::actor>& hosts) {
  std::vector<write_fn> out;
  for (int i = 0; i < writer_actors; ++i) {
    auto self = std::make_shared<caf::event_based_actor*>(nullptr);
    hosts.push_back(c.system().spawn(job_runner, self));
    c.stop_at_exit(hosts.back());
    out.push_back([self, leader, start_ts, epoch](const std::string& key,
                                                  std::function<void(bool)> done) {
      // No CAF timeout (it would sit in the actor clock until due, answered or not); the
      // router's requests carry none either (actor_io keeps its own timers).
      (*self)->request(leader, caf::infinite, actors::propose_atom::value,
                       one_pc_put(key, start_ts, epoch))
          .then([done](actors::shard_reply& r) { done(r.code == 0 && committed(r.payload)); },
                [done](caf::error&) { done(false); });
    });
  }
  return out;
}

void report_path(const report_fn& report, const std::string& name, const path_figures& f) {
  report(name + "_done", f.done ? 1 : 0);
  double writes = static_cast<double>(f.latencies_ms.size());
  report(name + "_ops_s", f.seconds > 0 ? writes / f.seconds : 0);
  report(name + "_p50_ms", percentile(f.latencies_ms, 0.5));
  report(name + "_p99_ms", percentile(f.latencies_ms, 0.99));
  report(name + "_errors", static_cast<double>(f.errors));
}

void routing_phase(const shard_bench_options& o, const report_fn& report) {
  live_cluster c(o.dir, "shards", {"m"});  // shard 1 = [, m): the writes' keys start with "a/"
  std::vector<sim::txn_client> clients;
  for (int i = 0; i < writer_actors; ++i) {
    clients.push_back(c.client(static_cast<node_id>(i % 3 + 1)));  // homes spread over nodes
  }
  c.wait_for_leaders(seconds(30));
  for (const auto& client : clients) {
    if (!warm_up(c, client, {"a/warm-up"}, seconds(30))) return report("warm_up_failed", 1);
  }
  auto leaders = c.wait_for_leaders(seconds(5));
  caf::actor leader = c.cluster().replica_actor(leaders[target_shard], target_shard);
  std::uint64_t start_ts = fetch_timestamp(c, clients.front());
  if (!leader || start_ts == 0) return report("warm_up_failed", 1);
  std::uint64_t epoch = 0;
  for (const auto& r : c.cluster().initial_directory()) {
    if (r.id == target_shard) epoch = r.epoch;
  }
  std::vector<caf::actor> router_hosts, direct_hosts;
  for (const auto& client : clients) router_hosts.push_back(client.handle);
  auto via_router = router_writes(clients, start_ts);
  auto via_direct = direct_writes(c, leader, start_ts, epoch, direct_hosts);
  path_figures router, direct;
  for (int r = 0; r < rounds; ++r) {
    std::string round = std::to_string(r) + "/";
    run_round(direct_hosts, via_direct, "a/direct/" + round, o.clients, o.seconds / rounds, direct);
    run_round(router_hosts, via_router, "a/router/" + round, o.clients, o.seconds / rounds, router);
  }
  report_path(report, "direct", direct);
  report_path(report, "router", router);
}

// False when the run failed (no figures).
bool routing_overhead(const shard_bench_options& o) {
  auto r = run_in_child([&](const report_fn& report) { routing_phase(o, report); });
  std::printf("  routing overhead, real time: 3 nodes in one process, LMDB fsync on (%s), WAN "
              "latency off; %d writers per path on %d actors; %d alternating rounds of %.1f s per "
              "path; one-key one-phase commits of %zu-byte values to shard %llu\n",
              filesystem_name(o.dir).c_str(), o.clients, writer_actors, rounds,
              o.seconds / rounds, value_bytes, static_cast<unsigned long long>(target_shard));
  if (!r.ok || field(r, "warm_up_failed") > 0 || field(r, "direct_done") == 0 ||
      field(r, "router_done") == 0) {
    std::printf("  real-time run failed: no figures\n");
    return false;
  }
  std::printf("  %-40s %10s %8s %8s %7s\n", "path", "writes/s", "p50 ms", "p99 ms", "errors");
  for (const char* name : {"direct", "router"}) {
    std::string p = name;
    std::printf("  %-40s %10.0f %8.2f %8.2f %7.0f\n",
                p == "direct" ? "direct: propose_atom to the leader replica"
                              : "router: actor_io command() (full client path)",
                field(r, p + "_ops_s"), field(r, p + "_p50_ms"), field(r, p + "_p99_ms"),
                field(r, p + "_errors"));
  }
  double direct = field(r, "direct_ops_s");
  double ratio = direct > 0 ? field(r, "router_ops_s") / direct : 0;
  std::printf("  router / direct = %.2f (target >= 0.90: %s); peak RSS %.1f MiB\n", ratio,
              ratio >= 0.9 ? "met" : "MISSED", r.peak_rss_kib / 1024.0);
  std::printf("RESULT system=meridian bench=shards mode=routing clients=%d router_ops_s=%.1f "
              "direct_ops_s=%.1f ratio=%.3f router_p50_ms=%.2f direct_p50_ms=%.2f "
              "peak_rss_mib=%.1f\n",
              o.clients, field(r, "router_ops_s"), field(r, "direct_ops_s"), ratio,
              field(r, "router_p50_ms"), field(r, "direct_p50_ms"), r.peak_rss_kib / 1024.0);
  return true;
}

}  // namespace

int run_shard_bench(const shard_bench_options& options) {
  std::printf("bench shards\n");
  bool ok = routing_overhead(options);
  simulated_recovery(options);
  return ok ? 0 : 1;
}

}  // namespace meridian::bench
