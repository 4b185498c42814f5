// `meridian bench txn`; see txn_bench.hpp. This file holds the real-time part: bank transfers
// (read two balances, write both, commit) by concurrent clients on a three-node cluster with WAN
// latency off and fsync on, in a forked child (its peak RSS is its own), beside the Raft
// benchmark's raw replicated writes/s measured in its own child in the same run.
#include "bench/txn_bench.hpp"

#include <caf/all.hpp>

#include <cstdio>
#include <future>
#include <random>

#include "bench/bench_util.hpp"
#include "bench/live_cluster.hpp"
#include "bench/raft_bench.hpp"

namespace meridian::bench {
namespace {

using namespace std::chrono;
using report_fn = std::function<void(const std::string&, double)>;

// A transfer that keeps losing to concurrent writers gives up after this many attempts.
constexpr int max_attempts = 20;
// Logical clients share a few client actors (each one a cluster client and coordinator), as
// sessions share connections; one actor per logical client would only add scheduling.
constexpr int client_actors = 4;

std::string account_key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "acct/%07d", i);
  return buf;
}

double ms_since(steady_clock::time_point t) {
  return duration<double, std::milli>(steady_clock::now() - t).count();
}

// The logical clients of one client actor; touched only on that actor's thread until
// `finished` is delivered, which hands the figures to the benchmark's thread.
struct transfer_driver {
  actors::cluster_engine* engine = nullptr;
  bool cross_shard = false;
  int accounts = 0;  // accounts [0, accounts/2) live in shard 1, the rest in shard 2
  steady_clock::time_point deadline;
  std::mt19937_64 rng;
  std::vector<double> latencies_ms;  // first begin to successful commit, retries included
  // Per attempt, where the time went: begin (the TSO round), the two reads, the commit.
  std::vector<double> begin_ms, read_ms, commit_ms;
  std::uint64_t conflicts = 0;  // attempts aborted by write_conflict (then retried)
  std::uint64_t failed = 0;     // transfers given up (another error, or too many conflicts)
  txn::ledger paid;             // every attempt's round trips, summed
  std::string last_error;
  int running = 0;
  std::promise<void> finished;
};
using driver_ptr = std::shared_ptr<transfer_driver>;

void next_transfer(const driver_ptr& d);
void attempt(const driver_ptr& d, std::string from, std::string to,
             steady_clock::time_point started, int tries);

void give_up(const driver_ptr& d, const error& why) {
  ++d->failed;
  d->last_error = why.to_string();
  next_transfer(d);
}

std::int64_t balance_of(const std::optional<std::string>& v) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;  // never written: 0
}

void commit_transfer(const driver_ptr& d, std::shared_ptr<std::unique_ptr<txn::transaction>> t,
                     std::string from, std::string to, steady_clock::time_point started,
                     int tries) {
  auto t0 = steady_clock::now();
  (*t)->commit([=](result<std::uint64_t> r) {
    d->commit_ms.push_back(ms_since(t0));
    d->paid.add((*t)->round_trips());
    if (r) {
      d->latencies_ms.push_back(ms_since(started));
      return next_transfer(d);
    }
    bool conflict = r.err().code() == errc::write_conflict;
    d->conflicts += conflict;
    if (conflict && tries + 1 < max_attempts) return attempt(d, from, to, started, tries + 1);
    give_up(d, r.err());
  });
}

void attempt(const driver_ptr& d, std::string from, std::string to,
             steady_clock::time_point started, int tries) {
  auto t0 = steady_clock::now();
  d->engine->begin({}, [=](result<std::unique_ptr<txn::transaction>> t) {
    if (!t) return give_up(d, t.err());
    d->begin_ms.push_back(ms_since(t0));
    auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
    auto t1 = steady_clock::now();
    (*holder)->batch_get({from, to}, [=](result<std::vector<std::optional<std::string>>> v) {
      if (!v) return give_up(d, v.err());
      d->read_ms.push_back(ms_since(t1));
      bool put = (*holder)->put(from, std::to_string(balance_of((*v)[0]) - 1)).ok() &&
                 (*holder)->put(to, std::to_string(balance_of((*v)[1]) + 1)).ok();
      MERIDIAN_ASSERT(put, "a transfer's writes fit every limit");
      commit_transfer(d, holder, from, to, started, tries);
    });
  });
}

void next_transfer(const driver_ptr& d) {
  if (steady_clock::now() >= d->deadline) {
    if (--d->running == 0) d->finished.set_value();
    return;
  }
  int half = d->accounts / 2;
  auto pick = [&](int lo, int n) {
    return lo + static_cast<int>(d->rng() % static_cast<unsigned>(n));
  };
  int a = 0, b = 0;
  if (d->cross_shard) {
    a = pick(0, half);
    b = pick(half, d->accounts - half);
    if (d->rng() % 2) std::swap(a, b);
  } else {
    int lo = d->rng() % 2 ? half : 0;
    int n = lo == 0 ? half : d->accounts - half;
    a = pick(lo, n);
    do b = pick(lo, n); while (b == a);
  }
  attempt(d, account_key(a), account_key(b), steady_clock::now(), 0);
}

// Starts the logical clients, spread over the client actors, and waits for them to stop.
std::vector<driver_ptr> drive(const std::vector<sim::txn_client>& clients,
                              const txn_bench_options& o, bool cross_shard, bool& all_done) {
  std::vector<driver_ptr> drivers;
  auto deadline =
      steady_clock::now() + duration_cast<steady_clock::duration>(duration<double>(o.seconds));
  int per_actor = o.clients / static_cast<int>(clients.size());
  int extra = o.clients % static_cast<int>(clients.size());
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto d = std::make_shared<transfer_driver>();
    d->cross_shard = cross_shard;
    d->accounts = o.accounts;
    d->deadline = deadline;
    d->rng.seed(splitmix64(i + (cross_shard ? 1000 : 0)));
    d->running = per_actor + (static_cast<int>(i) < extra ? 1 : 0);
    if (d->running == 0) continue;
    auto engine = clients[i].engine;
    sim::post(clients[i], [d, engine] {
      d->engine = *engine;
      for (int k = 0, n = d->running; k < n; ++k) next_transfer(d);
    });
    drivers.push_back(d);
  }
  all_done = true;
  for (auto& d : drivers) {
    auto left = deadline + seconds(60) - steady_clock::now();
    all_done = d->finished.get_future().wait_for(left) == std::future_status::ready && all_done;
  }
  return drivers;
}

// One workload for o.seconds; reports under `prefix`.
void run_transfers(const std::vector<sim::txn_client>& clients, const txn_bench_options& o,
                   bool cross_shard, const std::string& prefix, const report_fn& report) {
  auto t0 = steady_clock::now();
  bool all_done = false;
  auto drivers = drive(clients, o, cross_shard, all_done);
  double elapsed = duration<double>(steady_clock::now() - t0).count();
  report(prefix + "_done", all_done ? 1 : 0);
  if (!all_done) return;  // a driver still running owns its figures
  std::vector<double> latencies, begin, read, commit;
  double conflicts = 0, failed = 0;
  txn::ledger paid;
  auto append = [](std::vector<double>& to, const std::vector<double>& from) {
    to.insert(to.end(), from.begin(), from.end());
  };
  for (auto& d : drivers) {
    append(latencies, d->latencies_ms);
    append(begin, d->begin_ms);
    append(read, d->read_ms);
    append(commit, d->commit_ms);
    conflicts += static_cast<double>(d->conflicts);
    failed += static_cast<double>(d->failed);
    paid.add(d->paid);
    if (!d->last_error.empty()) {
      std::fprintf(stderr, "  %s transfers, last error: %s\n", prefix.c_str(),
                   d->last_error.c_str());
    }
  }
  double committed = static_cast<double>(latencies.size());
  report(prefix + "_txn_s", committed / elapsed);
  report(prefix + "_p50_ms", percentile(latencies, 0.5));
  report(prefix + "_p99_ms", percentile(latencies, 0.99));
  report(prefix + "_abort_rate",
         committed + conflicts > 0 ? conflicts / (committed + conflicts) : 0);
  report(prefix + "_failed", failed);
  report(prefix + "_begin_p50_ms", percentile(begin, 0.5));
  report(prefix + "_read_p50_ms", percentile(read, 0.5));
  report(prefix + "_commit_p50_ms", percentile(commit, 0.5));
  double attempts = std::max<double>(1, static_cast<double>(commit.size()));
  report(prefix + "_tso_per_attempt", paid.tso_round_trips / attempts);
  report(prefix + "_reads_per_attempt", paid.read_round_trips / attempts);
  report(prefix + "_prewrites_per_attempt", paid.prewrite_rounds / attempts);
  report(prefix + "_commits_per_attempt", paid.commit_rounds / attempts);
  report(prefix + "_locks_per_attempt", paid.lock_resolutions / attempts);
  report(prefix + "_retries_per_attempt", paid.retries / attempts);
}

void transfers_phase(const txn_bench_options& o, const report_fn& report) {
  live_cluster c(o.dir, "txn", {account_key(o.accounts / 2)});
  std::vector<sim::txn_client> clients;
  int actor_count = std::min(client_actors, o.clients);
  for (int i = 0; i < actor_count; ++i) {
    clients.push_back(c.client(static_cast<node_id>(i % 3 + 1)));  // homes spread over nodes
  }
  c.wait_for_leaders(seconds(30));
  for (const auto& client : clients) {
    if (!warm_up(c, client, {account_key(0), account_key(o.accounts - 1)}, seconds(30))) {
      report("warm_up_failed", 1);
      return;
    }
  }
  run_transfers(clients, o, false, "single", report);
  run_transfers(clients, o, true, "cross", report);
}

void print_workload(const child_result& r, const std::string& prefix, const char* label,
                    double raw_ops_s, const std::string& target) {
  double txn_s = field(r, prefix + "_txn_s");
  std::printf("  %-22s %9.0f %8.1f %8.1f %9.1f%% %7.0f %12.0f %7.2f  %s\n", label, txn_s,
              field(r, prefix + "_p50_ms"), field(r, prefix + "_p99_ms"),
              100 * field(r, prefix + "_abort_rate"), field(r, prefix + "_failed"), raw_ops_s,
              raw_ops_s > 0 ? txn_s / raw_ops_s : 0, target.c_str());
  std::printf("    per attempt, p50: begin (TSO) %.1f ms, two reads %.1f ms, commit %.1f ms\n",
              field(r, prefix + "_begin_p50_ms"), field(r, prefix + "_read_p50_ms"),
              field(r, prefix + "_commit_p50_ms"));
  std::printf("    per attempt, mean: TSO rounds %.2f, read rounds %.2f, prewrite rounds %.2f, "
              "commit rounds %.2f, foreign locks resolved %.2f, requests retried %.2f\n",
              field(r, prefix + "_tso_per_attempt"), field(r, prefix + "_reads_per_attempt"),
              field(r, prefix + "_prewrites_per_attempt"),
              field(r, prefix + "_commits_per_attempt"), field(r, prefix + "_locks_per_attempt"),
              field(r, prefix + "_retries_per_attempt"));
}

void print_results(const txn_bench_options& o, const replicated_write_figures& raw,
                   const child_result& r) {
  std::printf("  %-22s %9s %8s %8s %10s %7s %12s %7s  %s\n", "workload", "txn/s", "p50 ms",
              "p99 ms", "aborts", "failed", "raw writes/s", "ratio", "target");
  print_workload(r, "single", "single-shard transfers", raw.ops_s, "");
  bool met = field(r, "cross_txn_s") >= 0.25 * raw.ops_s;
  print_workload(r, "cross", "cross-shard transfers", raw.ops_s,
                 std::string(">= 0.25: ") + (met ? "met" : "MISSED"));
  std::printf("  raw replicated writes (bench raft's real-time part, %d proposers, 100-byte "
              "commands): %.0f/s, p50 %.1f ms, p99 %.1f ms\n",
              o.clients, raw.ops_s, raw.p50_ms, raw.p99_ms);
  std::printf("  latency: first begin to successful commit, conflict retries included; aborts = "
              "write conflicts / (commits + conflicts)\n");
  std::printf("  peak RSS: transfers %.1f MiB, raw Raft %.1f MiB\n", r.peak_rss_kib / 1024.0,
              raw.peak_rss_kib / 1024.0);
  for (std::string w : {"single", "cross"}) {
    std::printf("RESULT system=meridian bench=txn mode=%s clients=%d accounts=%d txn_s=%.1f "
                "p50_ms=%.2f p99_ms=%.2f abort_rate=%.4f failed=%.0f raw_ops_s=%.1f ratio=%.3f "
                "peak_rss_mib=%.1f\n",
                w.c_str(), o.clients, o.accounts, field(r, w + "_txn_s"), field(r, w + "_p50_ms"),
                field(r, w + "_p99_ms"), field(r, w + "_abort_rate"), field(r, w + "_failed"),
                raw.ops_s, raw.ops_s > 0 ? field(r, w + "_txn_s") / raw.ops_s : 0,
                r.peak_rss_kib / 1024.0);
  }
}

// False when the run failed (no figures).
bool real_time_transfers(const txn_bench_options& o) {
  raft_bench_options raw_options;
  raw_options.dir = o.dir;
  raw_options.proposers = o.clients;
  raw_options.seconds = o.seconds;
  auto raw = measure_replicated_writes(raw_options);
  auto r = run_in_child([&](const report_fn& report) { transfers_phase(o, report); });
  std::printf("  real time, 3 nodes in one process, LMDB fsync on (%s), WAN latency off; %d "
              "clients on %d client actors; %d accounts in 2 shards; %.0f s per workload\n",
              filesystem_name(o.dir).c_str(), o.clients, std::min(client_actors, o.clients),
              o.accounts, o.seconds);
  if (!raw.ok || !r.ok || field(r, "warm_up_failed") > 0 || field(r, "single_done") == 0 ||
      field(r, "cross_done") == 0) {
    std::printf("  real-time run failed (baseline ok: %d, transfers ok: %d): no figures\n",
                raw.ok, r.ok);
    return false;
  }
  print_results(o, raw, r);
  return true;
}

}  // namespace

int run_txn_bench(const txn_bench_options& options) {
  std::printf("bench txn\n");
  simulated_commit_latency(options);
  return real_time_transfers(options) ? 0 : 1;
}

}  // namespace meridian::bench
