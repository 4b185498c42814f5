// The `meridian` binary: one entry point with subcommands (DESIGN.md "Processes and commands").
// This is the only file that includes CLI11; each subcommand hands off to a library function.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <unistd.h>

#include <iostream>

#include "api/embedded.hpp"
#include "check/append_checker.hpp"
#include "check/bank_checker.hpp"
#include "check/register_checker.hpp"
#include "check/set_checker.hpp"
#include "bench/raft_bench.hpp"
#include "query/sqllogictest.hpp"
#include "shell/repl.hpp"
#include "bench/shard_bench.hpp"
#include "bench/sql_bench.hpp"
#include "bench/storage_bench.hpp"
#include "bench/txn_bench.hpp"
#include "sim/raft_sim.hpp"
#include "sim/shard_sim.hpp"
#include "sim/txn_sim.hpp"

namespace {

// The simulator's first seed: the flag, else $MERIDIAN_SEED (make test rotates it), else the time.
std::uint64_t start_seed(const std::string& flag) {
  if (!flag.empty()) return std::stoull(flag);
  if (const char* env = std::getenv("MERIDIAN_SEED")) return std::strtoull(env, nullptr, 10);
  return static_cast<std::uint64_t>(std::time(nullptr));
}

struct shell_options {
  std::string data_dir = "meridian-data";
  std::string local_dir;
  bool local = false;
  std::string dc = "us-east";
  double wan_scale = 1.0;
};

std::string banner(const meridian::api::cluster_info& info, const shell_options& o) {
  if (info.mode == "local") {
    return "Meridian — local single-node database in " +
           (o.local_dir.empty() ? std::string("memory") : o.local_dir) +
           ". Type \\? for help, \\q to quit.";
  }
  std::string dcs;
  for (const auto& d : info.dcs) dcs += (dcs.empty() ? "" : ", ") + d.name;
  return "Meridian — embedded cluster: " + dcs + " (" + std::to_string(info.nodes.size()) +
         " nodes, " + std::to_string(info.shards.size()) + " shards), data in " +
         (o.data_dir.empty() ? std::string("memory") : "./" + o.data_dir) +
         ".\nYour session is in " + info.session_dc +
         "; the timestamp oracle is in " + info.tso_dc +
         ". Statements end with ';'. \\cluster shows the geography, \\dc moves you, \\? helps.";
}

int run_shell(const shell_options& o) {
  std::unique_ptr<meridian::api::embedded_cluster> cluster;
  std::unique_ptr<meridian::api::session> session;
  if (o.local) {
    auto s = meridian::api::open_local_session(o.local_dir);
    if (!s) {
      std::cerr << "meridian: " << s.err().to_string() << "\n";
      return 1;
    }
    session = std::move(*s);
  } else {
    meridian::api::embedded_options e;
    e.data_dir = o.data_dir;
    e.wan_scale = o.wan_scale;
    if (isatty(0)) std::cerr << "Starting the embedded cluster...\n";
    auto c = meridian::api::embedded_cluster::start(e);
    if (!c) {
      std::cerr << "meridian: " << c.err().to_string() << "\n";
      return 1;
    }
    cluster = std::move(*c);
    auto s = cluster->open_session(o.dc);
    if (!s) {
      std::cerr << "meridian: " << s.err().to_string() << "\n";
      return 1;
    }
    session = std::move(*s);
  }
  meridian::shell::repl_options r;
  r.interactive = isatty(0) != 0;
  if (r.interactive) {
    auto info = session->cluster();
    if (info) r.banner = banner(*info, o);
    if (const char* home = std::getenv("HOME")) r.history_file = std::string(home) + "/.meridian_history";
  }
  int code = meridian::shell::run_repl(*session, std::cin, std::cout, std::cerr, r);
  session.reset();
  return code;
}

int run_check(const std::string& workload, const std::string& file, bool strict,
              std::int64_t total, std::size_t accounts) {
  auto h = meridian::check::read_history_file(file);
  if (!h) {
    std::cerr << "meridian check: " << h.err().to_string() << "\n";
    return 2;
  }
  // Invocations and completions that do not pair up make no history: the file is malformed
  // (as a line that is not JSON), not a history with an anomaly.
  if (auto paired = meridian::check::pair_operations(*h); !paired) {
    std::cerr << "meridian check: " << paired.err().to_string() << "\n";
    return 2;
  }
  meridian::check::check_result r;
  if (workload == "bank") {
    r = meridian::check::check_bank(*h, meridian::check::bank_options{total, accounts});
  } else if (workload == "register") {
    r = meridian::check::check_registers(*h);
  } else if (workload == "set") {
    r = meridian::check::check_set(*h);
  } else {
    meridian::check::append_options o;
    o.strict = strict;
    r = meridian::check::check_append(*h, o).to_check_result();
  }
  for (const auto& a : r.anomalies) std::cout << a << "\n";
  if (r.undecided()) {
    // Neither valid nor a violation: the history is past what the check can decide.
    std::cout << "UNKNOWN: " << r.operations << " operations, not decided (see above)\n";
    return 3;
  }
  std::cout << (r.valid ? "valid" : "INVALID") << ": " << r.operations << " operations, "
            << r.anomalies.size() << " anomalies\n";
  return r.valid ? 0 : 1;
}

// The directory of the binary: the build directory, on the disk the database would use, where
// the real-time benchmarks put their temporary partitions unless told otherwise.
std::string binary_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Meridian: a geo-distributed SQL database built from actors"};
  app.require_subcommand(0, 1);

  shell_options shell;
  auto add_shell_options = [&shell](CLI::App* cmd) {
    cmd->add_option("--data", shell.data_dir, "data directory of the embedded cluster");
    cmd->add_option("--dc", shell.dc, "the datacenter your session starts in");
    cmd->add_option("--wan-scale", shell.wan_scale,
                    "multiplies the inter-datacenter latencies (0 turns them off)")
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_flag("--local", shell.local, "a single-node local database instead of the cluster");
    cmd->add_option("--local-dir", shell.local_dir, "where the local database lives (default: memory)");
  };
  add_shell_options(&app);
  auto* shell_cmd = app.add_subcommand("shell", "the SQL shell on an embedded cluster (the default)");
  add_shell_options(shell_cmd);

  std::vector<std::string> sqltest_files;
  std::string sqltest_engine = "local";
  auto* sqltest = app.add_subcommand("sqltest", "run sqllogictest files against a fresh database each");
  sqltest->add_option("files", sqltest_files, "sqllogictest files")->required()->check(CLI::ExistingFile);
  sqltest->add_option("--engine", sqltest_engine, "local or cluster")
      ->check(CLI::IsMember({"local", "cluster"}));

  std::string check_workload;
  std::string check_file;
  bool check_strict = false;
  std::int64_t bank_total = 100;
  std::size_t bank_accounts = 8;
  auto* check = app.add_subcommand("check", "check a saved history (JSON lines, Jepsen's shape)");
  check->add_option("--workload", check_workload,
                    "bank, append or register (sim txn), or set (sim shards)")
      ->required()
      ->check(CLI::IsMember({"bank", "append", "register", "set"}));
  check->add_option("file", check_file, "the history file")->required()->check(CLI::ExistingFile);
  check->add_flag("--strict", check_strict,
                  "append: a transaction that began after another's acknowledgement must see it");
  check->add_option("--total", bank_total, "bank: the sum every read must show");
  check->add_option("--accounts", bank_accounts, "bank: the number of accounts");

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

  meridian::bench::txn_bench_options txn_options;
  txn_options.dir = binary_dir();
  auto* bench_txn = bench->add_subcommand(
      "txn", "commit latency per commit path (simulated WAN) and transfers/s (fsync on) beside "
             "their floors and raw replicated writes");
  bench_txn->add_option("--dir", txn_options.dir,
                        "directory for the cluster's temporary partitions (default: the binary's)");
  bench_txn->add_option("--seconds", txn_options.seconds, "duration of each real-time workload")
      ->check(CLI::Range(1.0, 600.0));
  bench_txn->add_option("--clients", txn_options.clients, "concurrent real-time clients")
      ->check(CLI::Range(1, 4096));
  bench_txn->add_option("--accounts", txn_options.accounts, "accounts the transfers touch")
      ->check(CLI::Range(4, 1'000'000));
  bench_txn->add_option("--simulated-txns", txn_options.simulated_txns,
                        "simulated transactions per commit path")
      ->check(CLI::Range(10, 100'000));

  meridian::bench::shard_bench_options shard_options;
  shard_options.dir = binary_dir();
  auto* bench_shards = bench->add_subcommand(
      "shards", "routing overhead (fsync on) and recovery after losing a datacenter (simulated)");
  bench_shards->add_option("--dir", shard_options.dir,
                           "directory for the cluster's temporary partitions (default: the "
                           "binary's)");
  bench_shards->add_option("--seconds", shard_options.seconds,
                           "seconds of writes per path, split over alternating rounds")
      ->check(CLI::Range(1.0, 600.0));
  bench_shards->add_option("--clients", shard_options.clients, "concurrent writers")
      ->check(CLI::Range(1, 4096));

  meridian::bench::sql_bench_options sql_options;
  auto* bench_sql = bench->add_subcommand(
      "sql", "parse + bind + plan of a point SELECT, and point SELECTs and INSERTs end to end on "
             "the local engine");
  bench_sql->add_option("--rows", sql_options.rows, "rows loaded before the point SELECTs")
      ->check(CLI::Range(1, 100'000'000));

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

  meridian::sim::shard_sim_options shard_sim;
  auto* sim_shards = sim->add_subcommand(
      "shards", "a sharded cluster under splits, leader moves, datacenter isolation and replica "
                "replacement; checks no write lost or doubled, availability and convergence");
  sim_shards->add_option("--seed-start", seed_text,
                         "first seed (default: $MERIDIAN_SEED, else the current time)");
  sim_shards->add_option("--seeds", shard_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  sim_shards->add_option("--history", shard_sim.history_dir,
                         "write each seed's history as DIR/set-<seed>.jsonl");
  sim_shards->add_flag("--verbose", shard_sim.verbose, "print a line for every seed");

  CLI11_PARSE(app, argc, argv);

  if (check->parsed()) {
    return run_check(check_workload, check_file, check_strict, bank_total, bank_accounts);
  }
  if (sqltest->parsed()) {
    meridian::query::engine_factory factory =
        meridian::query::local_engine_factory(meridian::query::local_database::storage_kind::memory);
    if (sqltest_engine == "cluster") {
      factory = []() -> meridian::result<std::unique_ptr<meridian::query::sql_database>> {
        meridian::api::embedded_options e;
        e.data_dir.clear();  // in memory
        e.wan_scale = 0;     // the suite checks results, not latency
        return meridian::api::open_cluster_database(e);
      };
    }
    return meridian::query::run_sqllogictest(sqltest_files, factory);
  }
  if (sim_txn->parsed()) {
    txn_sim.seed_start = start_seed(seed_text);
    return meridian::sim::run_txn_sim(txn_sim);
  }

  if (sim_shards->parsed()) {
    shard_sim.seed_start = start_seed(seed_text);
    return meridian::sim::run_shard_sim(shard_sim);
  }

  if (sim_raft->parsed()) {
    raft_sim.seed_start = start_seed(seed_text);
    return meridian::sim::run_raft_sim(raft_sim);
  }

  if (bench_storage->parsed()) return meridian::bench::run_storage_bench(storage_options);
  if (bench_raft->parsed()) return meridian::bench::run_raft_bench(raft_options);
  if (bench_txn->parsed()) return meridian::bench::run_txn_bench(txn_options);
  if (bench_shards->parsed()) return meridian::bench::run_shard_bench(shard_options);
  if (bench_sql->parsed()) return meridian::bench::run_sql_bench(sql_options);

  return run_shell(shell);
}
