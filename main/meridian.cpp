// The `meridian` binary: one entry point with subcommands (DESIGN.md "Processes and commands").
// This is the only file that includes CLI11; each subcommand hands off to a library function.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "bench/raft_bench.hpp"
#include "bench/storage_bench.hpp"
#include "sim/raft_sim.hpp"
#include "sim/txn_sim.hpp"

namespace {

// The simulator's first seed: the flag, else $MERIDIAN_SEED (make test rotates it), else the time.
std::uint64_t start_seed(const std::string& flag) {
  if (!flag.empty()) return std::stoull(flag);
  if (const char* env = std::getenv("MERIDIAN_SEED")) return std::strtoull(env, nullptr, 10);
  return static_cast<std::uint64_t>(std::time(nullptr));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Meridian: a geo-distributed SQL database built from actors"};
  app.require_subcommand(0, 1);

  auto* bench = app.add_subcommand("bench", "run a benchmark workload and print its figures");
  bench->require_subcommand(1);
  meridian::bench::storage_bench_options storage_options;
  auto* bench_storage =
      bench->add_subcommand("storage", "storage layer beside raw LMDB, in one run");
  bench_storage->add_option("--dir", storage_options.dir, "directory for the partitions");
  bench_storage->add_option("--keys", storage_options.keys, "keys to write and read")
      ->check(CLI::Range(1000, 100'000'000));
  bench_storage->add_option("--appenders", storage_options.appenders,
                            "concurrent Raft log appenders")
      ->check(CLI::Range(1, 4096));
  bench_storage->add_option("--append-seconds", storage_options.append_seconds,
                            "duration of the log-append phase")
      ->check(CLI::Range(0.5, 600.0));

  meridian::bench::raft_bench_options raft_options;
  auto* bench_raft = bench->add_subcommand(
      "raft", "commit latency (simulated WAN) and proposals/s of three replicas (fsync on)");
  bench_raft->add_option("--dir", raft_options.dir, "directory for the replicas' partitions");
  bench_raft->add_option("--proposers", raft_options.proposers, "concurrent proposers")
      ->check(CLI::Range(1, 4096));
  bench_raft->add_option("--seconds", raft_options.seconds, "duration of the real-time run")
      ->check(CLI::Range(1.0, 600.0));

  auto* sim = app.add_subcommand("sim", "run the deterministic simulator over many seeds");
  sim->require_subcommand(1);
  meridian::sim::raft_sim_options raft_sim;
  auto* sim_raft = sim->add_subcommand(
      "raft", "Raft groups across three datacenters under faults; checks safety, "
              "linearizability and liveness");
  std::string seed_text;
  sim_raft->add_option("--seed-start", seed_text,
                       "first seed (default: $MERIDIAN_SEED, else the current time)");
  sim_raft->add_option("--seeds", raft_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  sim_raft->add_option("--history", raft_sim.history_dir,
                       "write each seed's history as DIR/register-<seed>.jsonl");
  sim_raft->add_option("--fault-seconds", raft_sim.fault_seconds,
                       "simulated seconds of faults per seed")
      ->check(CLI::Range(1.0, 86400.0));
  sim_raft->add_option("--shards", raft_sim.shards, "Raft groups")->check(CLI::Range(1, 64));
  sim_raft->add_flag("--verbose", raft_sim.verbose, "print a line for every seed");

  meridian::sim::txn_sim_options txn_sim;
  auto* sim_txn = sim->add_subcommand(
      "txn", "transactions across shards and datacenters under faults; checks the workload's "
             "invariants (bank), snapshot isolation (append) or linearizability (register)");
  sim_txn->add_option("--workload", txn_sim.workload, "bank, append or register")
      ->check(CLI::IsMember({"bank", "append", "register"}));
  sim_txn->add_option("--seed-start", seed_text,
                      "first seed (default: $MERIDIAN_SEED, else the current time)");
  sim_txn->add_option("--seeds", txn_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  sim_txn->add_option("--history", txn_sim.history_dir,
                      "write each seed's history as DIR/<workload>-<seed>.jsonl");
  sim_txn->add_option("--fault-seconds", txn_sim.fault_seconds, "simulated seconds of faults")
      ->check(CLI::Range(1.0, 86400.0));
  sim_txn->add_option("--clients", txn_sim.clients, "concurrent coordinators")
      ->check(CLI::Range(1, 64));
  sim_txn->add_flag("--verbose", txn_sim.verbose, "print a line for every seed");

  CLI11_PARSE(app, argc, argv);

  if (sim_txn->parsed()) {
    txn_sim.seed_start = start_seed(seed_text);
    return meridian::sim::run_txn_sim(txn_sim);
  }

  if (sim_raft->parsed()) {
    raft_sim.seed_start = start_seed(seed_text);
    return meridian::sim::run_raft_sim(raft_sim);
  }

  if (bench_storage->parsed()) return meridian::bench::run_storage_bench(storage_options);
  if (bench_raft->parsed()) return meridian::bench::run_raft_bench(raft_options);

  std::printf(
      "Meridian — what exists so far: the storage layer (LMDB partitions with Percolator's\n"
      "column families and the Raft log store). The SQL shell and the cluster are not built yet.\n"
      "Try:  meridian bench storage --keys 100000\n");
  return 0;
}
