// `meridian bench txn`, simulated part: commit latency with the default WAN latencies, after
// every leader (the meta shard's, hence the timestamp oracle's, and both data shards') has been
// moved to us-east, measured from begin() to the commit callback by a sequential client in
// us-east, for each commit path, beside the floor of DESIGN.md "Timestamps and geography": one
// TSO round trip plus one quorum round trip from the leaders' datacenter.
#include <caf/all.hpp>

#include <algorithm>
#include <cstdio>

#include "bench/bench_util.hpp"
#include "bench/sim_cluster.hpp"
#include "bench/txn_bench.hpp"

namespace meridian::bench {
namespace {

using namespace std::chrono;

constexpr node_id home_node = 1;  // us-east: the client, the oracle and every leader
// Between transactions, as the Raft benchmark's latency client does: lets the previous
// transaction's background commits (async, classic secondaries) leave the leaders' queues.
constexpr auto think_time = milliseconds(20);

struct commit_path {
  const char* label;
  txn::commit_mode mode;
  const char* first_key;   // keys are <prefix><i>; "a..." lives in shard 1, "z..." in shard 2
  const char* second_key;
  double target;           // p50 / floor
};

struct path_figures {
  std::vector<double> latencies_ms;
  std::vector<double> begin_ms;  // the TSO round alone, to show where a slow one spent its time
  std::string ledger;            // of the first measured transaction
  std::string path;              // the commit path the coordinator took
  int failed = 0;
};

std::size_t dc_of(const topology& topo, node_id n) { return topo.find(n)->dc; }

// The round trip from `leader` to the nearest quorum of `replicas` (the leader counts itself).
double quorum_rtt_ms(const topology& topo, node_id leader, const std::vector<node_id>& replicas) {
  std::vector<double> peers;
  for (node_id r : replicas) {
    if (r != leader) peers.push_back(topo.latency.rtt(dc_of(topo, leader), dc_of(topo, r)));
  }
  std::sort(peers.begin(), peers.end());
  std::size_t quorum = replicas.size() / 2 + 1;
  return quorum < 2 ? 0 : peers[quorum - 2];
}

// Shared: a transaction that outlives its time limit may still finish later.
using figures_ptr = std::shared_ptr<path_figures>;

// One transaction that writes two keys without reading: begin = the TSO round, commit = the
// rest. Returns false when it did not finish in simulated time.
bool one_transaction(sim_cluster& w, const sim::txn_client& client, txn::commit_mode mode,
                     std::string k1, std::string k2, const figures_ptr& fig) {
  auto* rt = &w.rt();
  return w.run(client, [=](actors::cluster_engine& e, std::function<void()> done) {
    std::int64_t t0 = rt->now_ns();
    txn::begin_options o;
    o.mode = mode;
    e.begin(o, [=](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) {
        ++fig->failed;
        return done();
      }
      fig->begin_ms.push_back(static_cast<double>(rt->now_ns() - t0) / 1e6);
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      MERIDIAN_ASSERT((*holder)->put(k1, "v").ok() && (*holder)->put(k2, "v").ok(), "put");
      (*holder)->commit([=](result<std::uint64_t> r) {
        if (!r) {
          ++fig->failed;
        } else {
          fig->latencies_ms.push_back(static_cast<double>(rt->now_ns() - t0) / 1e6);
          if (fig->ledger.empty()) fig->ledger = (*holder)->round_trips().to_string();
          fig->path = (*holder)->round_trips().commit_path;
        }
        done();
      });
    });
  }, seconds(60));
}

path_figures measure(sim_cluster& w, const sim::txn_client& client, const commit_path& p,
                     int count) {
  auto out = std::make_shared<path_figures>();
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    if (!one_transaction(w, client, p.mode, p.first_key + n, p.second_key + n, out)) ++out->failed;
    w.rt().run_until(w.rt().now() + think_time);
  }
  return *out;
}

// Commits until each path has succeeded once: the client learns the directory and the leaders,
// the moved leaders have their max_ts and the moved oracle its lease.
bool warm_up(sim_cluster& w, const sim::txn_client& client, const std::vector<commit_path>& paths) {
  for (const auto& p : paths) {
    auto scratch = std::make_shared<path_figures>();
    for (int i = 0; i < 50 && scratch->latencies_ms.empty(); ++i) {
      std::string n = "warm" + std::to_string(i);
      one_transaction(w, client, p.mode, p.first_key + n, p.second_key + n, scratch);
    }
    if (scratch->latencies_ms.empty()) return false;
  }
  return true;
}

void print_leaders(const std::map<shard_id, node_id>& leaders) {
  std::printf("  leaders (status_atom):");
  for (const auto& [shard, node] : leaders) {
    std::printf(" shard %llu%s on node %llu;", static_cast<unsigned long long>(shard),
                shard == actors::meta_shard ? " (meta, TSO)" : "",
                static_cast<unsigned long long>(node));
  }
  std::printf("\n");
}

// The floor from the topology and where the leaders are: the client's round trip to the TSO
// leader plus the slowest data shard leader's round trip to its nearest quorum.
std::pair<double, double> floor_parts(sim_cluster& w, const std::map<shard_id, node_id>& leaders) {
  const topology& topo = w.cluster().topo();
  double tso_rtt =
      topo.latency.rtt(dc_of(topo, home_node), dc_of(topo, leaders.at(actors::meta_shard)));
  double quorum_rtt = 0;
  for (const auto& r : w.cluster().initial_directory()) {
    quorum_rtt = std::max(quorum_rtt, quorum_rtt_ms(topo, leaders.at(r.id), r.replicas));
  }
  return {tso_rtt, quorum_rtt};
}

void print_path(const commit_path& p, const path_figures& f, double floor_ms) {
  double p50 = percentile(f.latencies_ms, 0.5);
  double p99 = percentile(f.latencies_ms, 0.99);
  std::printf("  %-24s %9.1f %9.1f %9.1f %9.2f %9.2f  <= %.1f x floor: %s\n", p.label, p50, p99,
              floor_ms, p50 / floor_ms, p99 / floor_ms, p.target,
              p50 <= p.target * floor_ms ? "met" : "MISSED");
  std::printf("    ledger of one: %s; committed %zu, failed %d\n", f.ledger.c_str(),
              f.latencies_ms.size(), f.failed);
  std::printf("    begin (TSO round) p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              percentile(f.begin_ms, 0.5), percentile(f.begin_ms, 0.99),
              percentile(f.begin_ms, 1.0));
  std::printf("RESULT system=meridian bench=txn mode=sim path=%s txns=%zu p50_ms=%.1f "
              "p99_ms=%.1f floor_ms=%.1f p50_over_floor=%.3f target=%.1f\n",
              f.path.c_str(), f.latencies_ms.size(), p50, p99, floor_ms, p50 / floor_ms,
              p.target);
}

}  // namespace

void simulated_commit_latency(const txn_bench_options& o) {
  actors::cluster_options c;
  c.split_keys = {"m"};  // shard 1 = [, m), shard 2 = [m, )
  sim_cluster w(c);
  const topology& topo = w.cluster().topo();
  std::printf("  simulated time, WAN latency on, client in %s (node %llu)\n",
              topo.latency.dcs[dc_of(topo, home_node)].c_str(),
              static_cast<unsigned long long>(home_node));
  bool moved = move_leaders(w, home_node, seconds(120));
  auto leaders = leaders_of(replica_statuses(w));
  print_leaders(leaders);
  if (!moved) {
    std::printf("  could not move every leader to node %llu: no figures\n",
                static_cast<unsigned long long>(home_node));
    return;
  }
  std::vector<commit_path> paths = {
      {"one-phase, 1 shard", txn::commit_mode::automatic, "a/1pc/x", "a/1pc/y", 1.1},
      {"async commit, 2 shards", txn::commit_mode::automatic, "a/async/", "z/async/", 1.2},
      {"classic 2PC, 2 shards", txn::commit_mode::classic, "a/classic/", "z/classic/", 2.2},
  };
  auto client = w.client(home_node);
  if (!warm_up(w, client, paths)) {
    std::printf("  warm-up transactions did not commit: no figures\n");
    return;
  }
  auto [tso_rtt, quorum_rtt] = floor_parts(w, leaders);
  double floor_ms = tso_rtt + quorum_rtt;
  std::printf("  floor = TSO round trip %.1f ms + quorum round trip from the leaders %.1f ms = "
              "%.1f ms; %d transactions per path, 2 keys each, written without reads\n",
              tso_rtt, quorum_rtt, floor_ms, o.simulated_txns);
  std::printf("  %-24s %9s %9s %9s %9s %9s  %s\n", "path", "p50 ms", "p99 ms", "floor ms",
              "p50/floor", "p99/floor", "target (p50)");
  for (const auto& p : paths) print_path(p, measure(w, client, p, o.simulated_txns), floor_ms);
}

}  // namespace meridian::bench
