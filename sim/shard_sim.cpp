// The shard simulator's runner; see shard_sim.hpp. One shard_world per seed (shard_world.hpp:
// the schedule and the checks); this file runs the seeds, prints a failing seed's violations,
// its last events and its replay command, and sums up the availability figures over all seeds.
#include "sim/shard_sim.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "sim/shard_world.hpp"

namespace meridian::sim {
namespace {

using namespace std::chrono;

struct seed_outcome {
  std::vector<std::string> violations;
  shard_figures fig;
  double simulated_seconds = 0;
  std::string trace;
};

seed_outcome run_seed(std::uint64_t seed, const shard_sim_options& o) {
  seed_outcome out;
  runtime rt;
  shard_world world(rt, seed);
  world.run_schedule();
  world.finish_and_check();
  out.violations = world.violations;
  out.fig = world.fig;
  if (!o.history_dir.empty()) {
    std::filesystem::create_directories(o.history_dir);
    auto s = check::write_history_file(o.history_dir + "/set-" + std::to_string(seed) + ".jsonl",
                                       world.history());
    if (!s) out.violations.push_back("could not write the history: " + s.err().message());
  }
  out.simulated_seconds = static_cast<double>(rt.now_ns()) / 1e9;
  if (!out.violations.empty()) out.trace = rt.trace();
  return out;
}

double worst(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

void print_seed(std::uint64_t seed, const seed_outcome& r) {
  const shard_figures& f = r.fig;
  std::string errors;
  for (const auto& [name, n] : f.no_quorum_errors) errors += " " + name + "=" + std::to_string(n);
  std::printf("seed %llu: %zu acknowledged, %zu failed, %zu unknown (%zu recovered); %zu shards, "
              "%zu splits asked, %zu leader moves; dc cut: replicated writes after %.0f ms, "
              "oracle %.0f ms, transactions %.0f ms; no-quorum failures:%s; node replaced in "
              "%.1f s (%zu proposals)\n",
              static_cast<unsigned long long>(seed), f.set.acknowledged, f.set.failed,
              f.set.unknown, f.set.recovered, f.shards, f.splits_requested, f.leader_moves,
              worst(f.replicated_ms), worst(f.oracle_ms), worst(f.transaction_ms), errors.c_str(),
              f.replace_ms / 1000, f.proposals);
}

// Median, p99 and max of what every seed measured, and the share within two election timeouts.
void print_distribution(const char* what, std::vector<double> ms, double two_timeouts_ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  auto at = [&ms](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))]; };
  auto within = std::count_if(ms.begin(), ms.end(), [two_timeouts_ms](double v) {
    return v >= 0 && v <= two_timeouts_ms;
  });
  std::printf("  %-38s median %5.0f ms, p99 %5.0f ms, max %5.0f ms; %5.1f%% of %zu within 2 x "
              "election timeout\n",
              what, at(0.5), at(0.99), at(1.0), 100.0 * static_cast<double>(within) / static_cast<double>(ms.size()),
              ms.size());
}

}  // namespace

int run_shard_sim(const shard_sim_options& o) {
  auto wall_start = steady_clock::now();
  std::uint64_t violations = 0;
  double simulated = 0;
  shard_figures all;
  std::printf("sim shards: seeds %llu..%llu\n", static_cast<unsigned long long>(o.seed_start),
              static_cast<unsigned long long>(o.seed_start + o.seeds - 1));
  std::fflush(stdout);
  for (std::uint64_t i = 0; i < o.seeds; ++i) {  // start + seeds may wrap at 2^64
    std::uint64_t seed = o.seed_start + i;
    arm_crash_banner(seed, replay_command("shards", seed));
    seed_outcome r = run_seed(seed, o);
    simulated += r.simulated_seconds;
    all.election_ms = r.fig.election_ms;
    all.write_bound_ms = r.fig.write_bound_ms;
    for (auto [from, to] : {std::pair{&r.fig.replicated_ms, &all.replicated_ms},
                            {&r.fig.oracle_ms, &all.oracle_ms},
                            {&r.fig.transaction_ms, &all.transaction_ms}}) {
      to->insert(to->end(), from->begin(), from->end());
    }
    if (!r.violations.empty()) {
      ++violations;
      print_violations(seed, r.violations, r.trace, replay_command("shards", seed));
    } else if (o.verbose) {
      print_seed(seed, r);
    }
    std::fflush(stdout);
  }
  double two = 2 * all.election_ms;
  std::printf("after cutting one datacenter off (election timeout %.0f ms; checked: every shard's "
              "and the oracle's first write within %.0f ms):\n",
              all.election_ms, all.write_bound_ms);
  print_distribution("a shard's first replicated write:", all.replicated_ms, two);
  print_distribution("the oracle's first timestamp:", all.oracle_ms, two);
  print_distribution("a shard's first transaction:", all.transaction_ms, two);
  std::printf("seeds: %llu, violations: %llu, simulated hours: %.2f, wall seconds: %.1f\n",
              static_cast<unsigned long long>(o.seeds), static_cast<unsigned long long>(violations),
              simulated / 3600, duration<double>(steady_clock::now() - wall_start).count());
  return violations == 0 ? 0 : 1;
}

}  // namespace meridian::sim
