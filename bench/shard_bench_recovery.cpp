// `meridian bench shards`, simulated part: recovery after losing a datacenter. Every leader (the
// meta shard's, hence the timestamp oracle's, and four data shards') is placed in us-east, clients
// in eu-west and ap-south write to every shard all along, then us-east's node is cut off. The
// figures are the simulated time until every shard has a leader elsewhere (status_atom) and until
// a write begun after the cut has committed on every shard, beside the Raft election timeout.
#include <caf/all.hpp>

#include <algorithm>
#include <cstdio>

#include "bench/sim_cluster.hpp"
#include "bench/shard_bench.hpp"

namespace meridian::bench {
namespace {

using namespace std::chrono;

constexpr auto probe_interval = milliseconds(100);  // a new write per shard per client
constexpr auto poll_interval = milliseconds(10);    // how often leaders are checked
constexpr auto recovery_limit = seconds(60);

// What each shard's probes saw, in simulated ms: -1 = not yet.
struct shard_recovery {
  double leader_ms = -1;       // a replica off the lost node reports itself leader
  double first_write_ms = -1;  // a write begun after the cut committed (its completion time)
};

// One write of `key` in a one-key transaction (one-phase commit). For a probe begun after the
// cut, records when its timestamp came (the oracle is back) and when it committed on `shard`.
void probe(sim_cluster& w, const sim::txn_client& client, std::string key, double cut_ms,
           std::shared_ptr<std::map<shard_id, shard_recovery>> seen, shard_id shard) {
  double began = w.now_ms();
  auto* cluster = &w;
  auto engine = client.engine;
  sim::post(client, [=] {
    (*engine)->begin({}, [=](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) return;
      // The meta shard took a write: a new oracle persists its high-water mark through the
      // meta shard's log before it issues its first timestamp.
      auto& meta = (*seen)[actors::meta_shard];
      if (cut_ms >= 0 && began >= cut_ms && meta.first_write_ms < 0) {
        meta.first_write_ms = cluster->now_ms();
      }
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      if (!(*holder)->put(key, "v").ok()) return;
      (*holder)->commit([=](result<std::uint64_t> r) {
        auto& s = (*seen)[shard];
        if (r && cut_ms >= 0 && began >= cut_ms && s.first_write_ms < 0) {
          s.first_write_ms = cluster->now_ms();
        }
      });
    });
  });
}

std::string key_in(shard_id shard, std::uint64_t n) {
  static const char* prefixes[] = {"", "a/", "h/", "o/", "u/"};  // split at g, n, t
  return std::string(prefixes[shard]) + "probe/" + std::to_string(n);
}

// Starts one probe per data shard per client, at every probe_interval, until `until_ms`, and
// polls leaders; stops early once every shard has recovered (when cut_ms >= 0).
void run_probes(sim_cluster& w, const std::vector<sim::txn_client>& clients, double until_ms,
                double cut_ms, node_id lost,
                const std::shared_ptr<std::map<shard_id, shard_recovery>>& seen,
                std::uint64_t& n) {
  double next_probe = w.now_ms();
  while (w.now_ms() < until_ms) {
    if (w.now_ms() >= next_probe) {
      for (const auto& c : clients) {
        for (shard_id s = 1; s <= 4; ++s) probe(w, c, key_in(s, n++), cut_ms, seen, s);
      }
      next_probe += static_cast<double>(probe_interval.count());
    }
    w.rt().run_until(w.rt().now() + poll_interval);
    if (cut_ms < 0) continue;
    auto leaders = leaders_of(replica_statuses(w), lost);
    bool all = true;
    for (shard_id s : w.cluster().shards()) {
      auto& r = (*seen)[s];
      if (r.leader_ms < 0 && leaders[s] != 0) r.leader_ms = w.now_ms();
      all = all && r.leader_ms >= 0 && r.first_write_ms >= 0;
    }
    if (all) return;
  }
}

node_id holding_most_leaders(sim_cluster& w) {
  std::map<node_id, int> count;
  for (const auto& [shard, node] : leaders_of(replica_statuses(w))) ++count[node];
  auto best = std::max_element(count.begin(), count.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return best == count.end() ? 0 : best->first;
}

void print_recovery(sim_cluster& w, const std::map<shard_id, shard_recovery>& seen, double cut_ms,
                    double election_ms) {
  double leaders_ms = 0, writes_ms = 0;
  bool complete = true;
  std::printf("  %-22s %16s %25s\n", "shard", "leader after ms", "write committed after ms");
  for (shard_id s : w.cluster().shards()) {
    const auto& r = seen.at(s);
    bool meta = s == actors::meta_shard;
    std::printf("  %-22s %16.0f %25.0f%s\n", meta ? "0 (meta, TSO)" : std::to_string(s).c_str(),
                r.leader_ms - cut_ms, r.first_write_ms - cut_ms,
                meta ? "  (the oracle issued: its mark was persisted)" : "");
    complete = complete && r.leader_ms >= 0 && r.first_write_ms >= 0;
    leaders_ms = std::max(leaders_ms, r.leader_ms - cut_ms);
    writes_ms = std::max(writes_ms, r.first_write_ms - cut_ms);
  }
  if (!complete) {
    std::printf("  not every shard recovered within %lld s of simulated time\n",
                static_cast<long long>(recovery_limit.count()));
    return;
  }
  std::printf("  every shard led again after %.0f ms (%.2f x election timeout); every shard took "
              "a write after %.0f ms (%.2f x election timeout %.0f ms)\n",
              leaders_ms, leaders_ms / election_ms, writes_ms, writes_ms / election_ms,
              election_ms);
  std::printf("RESULT system=meridian bench=shards mode=recovery leaders_ms=%.0f writes_ms=%.0f "
              "election_timeout_ms=%.0f\n",
              leaders_ms, writes_ms, election_ms);
}

}  // namespace

void simulated_recovery(const shard_bench_options&) {
  actors::cluster_options c;
  c.split_keys = {"g", "n", "t"};  // data shards 1..4
  sim_cluster w(c);
  double election_ms = static_cast<double>(w.cluster().raft_config().election_timeout_ticks *
                                           w.cluster().raft_config().tick_ms);
  std::printf("  recovery, simulated time, WAN latency on: every leader moved to us-east (node "
              "1); a client on every other node writes to each of 4 data shards every %lld ms\n",
              static_cast<long long>(probe_interval.count()));
  if (!move_leaders(w, 1, seconds(120))) {
    std::printf("  could not move every leader to node 1: no figures\n");
    return;
  }
  node_id lost = holding_most_leaders(w);
  auto leaders = leaders_of(replica_statuses(w));
  auto led = std::count_if(leaders.begin(), leaders.end(),
                           [lost](const auto& l) { return l.second == lost; });
  std::vector<sim::txn_client> clients;
  for (node_id node : w.cluster().nodes()) {
    if (node != lost) clients.push_back(w.client(node));
  }
  auto seen = std::make_shared<std::map<shard_id, shard_recovery>>();
  std::uint64_t n = 0;
  // Writes going on (and the clients learning where the leaders are) before the cut.
  run_probes(w, clients, w.now_ms() + 5000, -1, lost, seen, n);
  double cut_ms = w.now_ms();
  w.cluster().net()->with_model([lost](actors::network_model& m) { m.isolate(lost); });
  std::printf("  node %llu (%s) leads %ld of %zu shards; it is cut off from every other node at "
              "%.1f s\n",
              static_cast<unsigned long long>(lost),
              w.cluster().topo().latency.dcs[w.cluster().topo().find(lost)->dc].c_str(),
              static_cast<long>(led), leaders.size(), cut_ms / 1000);
  *seen = {};
  double limit_ms = static_cast<double>(duration_cast<milliseconds>(recovery_limit).count());
  run_probes(w, clients, cut_ms + limit_ms, cut_ms, lost, seen, n);
  print_recovery(w, *seen, cut_ms, election_ms);
}

}  // namespace meridian::bench
