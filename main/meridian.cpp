// The `meridian` binary: one entry point with subcommands (DESIGN.md "Processes and commands").
// This is the only file that includes CLI11; each subcommand hands off to a library function.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>

#include <unistd.h>

#include <iostream>

#include "api/embedded.hpp"
#include "common/topology.hpp"
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

using meridian::errc;

// A usage error (a bad flag or value): E1001 on stderr, exit status 2 (as for any tool).
int usage_error(const std::string& what) {
  std::cerr << "meridian: " << meridian::error(errc::invalid_argument, what).to_string() << "\n";
  return 2;
}

// A seed: decimal digits only, below 2^64.
std::optional<std::uint64_t> parse_seed(const std::string& text) {
  if (text.empty() || text.size() > 20 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

// The simulator's seeds: the first from the flag, else $MERIDIAN_SEED (make test rotates it),
// else the time; the whole range [first, first + count) must not wrap past 2^64.
meridian::result<std::uint64_t> seed_range(const std::string& flag, std::uint64_t count) {
  std::uint64_t first = static_cast<std::uint64_t>(std::time(nullptr));
  if (!flag.empty() || std::getenv("MERIDIAN_SEED") != nullptr) {
    std::string text = !flag.empty() ? flag : std::getenv("MERIDIAN_SEED");
    auto parsed = parse_seed(text);
    if (!parsed) {
      return meridian::error(errc::invalid_argument,
                             std::string(!flag.empty() ? "--seed-start" : "MERIDIAN_SEED") +
                                 " '" + text + "' is not a seed: a number from 0 to " +
                                 std::to_string(UINT64_MAX));
    }
    first = *parsed;
  }
  if (count > 0 && first > UINT64_MAX - (count - 1)) {
    return meridian::error(errc::invalid_argument,
                           std::to_string(count) + " seeds from " + std::to_string(first) +
                               " pass 2^64: start lower or run fewer");
  }
  return first;
}

// A directory the command writes into (--history, a benchmark's --dir): created if missing,
// and it must then be a directory this process can write.
meridian::status prepare_output_dir(const std::string& dir, const std::string& flag) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0) {
    return meridian::error(errc::invalid_argument,
                           flag + " '" + dir + "' is not a directory this process can write" +
                               (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return meridian::ok_status();
}

// Rejects NaN and the infinities (a range check alone lets NaN through: every comparison with it
// is false).
const CLI::Validator finite_number(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      return std::isfinite(v) ? "" : "'" + text + "' is not a finite number";
    },
    "FINITE");

const CLI::Validator non_empty(
    [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
    "NONEMPTY");

struct shell_options {
  std::string data_dir = "meridian-data";
  std::string local_dir;
  bool local = false;
  std::string dc = "us-east";
  double wan_scale = 1.0;
};

// A relative directory as ./DIR, so that it reads as a path; an absolute one as given.
std::string shown_path(const std::string& dir) {
  bool plain = dir.front() != '/' && dir.rfind("./", 0) != 0 && dir.rfind("../", 0) != 0;
  return plain ? "./" + dir : dir;
}

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
         (o.data_dir.empty() ? std::string("memory") : shown_path(o.data_dir)) +
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
  if (r.malformed > 0) {
    std::cerr << "meridian check: "
              << meridian::error(errc::invalid_argument,
                                 std::to_string(r.malformed) +
                                     " operations are not shaped as the " + workload +
                                     " workload's (see above): not a history this check reads")
                     .to_string()
              << "\n";
    return 2;
  }
  if (r.undecided()) {
    // Neither valid nor a violation: the history is past what the check can decide.
    std::cout << "UNKNOWN: " << r.operations << " operations, not decided (see above)\n";
    return 3;
  }
  std::size_t found = std::max(r.violations, r.anomalies.size());
  std::cout << (r.valid ? "valid" : "INVALID") << ": " << r.operations << " operations, " << found
            << " anomalies"
            << (found > r.anomalies.size()
                    ? " (" + std::to_string(r.anomalies.size()) + " shown)"
                    : std::string())
            << "\n";
  return r.valid ? 0 : 1;
}

// The directory of the binary: the build directory, on the disk the database would use, where
// the real-time benchmarks put their temporary partitions unless told otherwise.
std::string binary_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

// Every subcommand's options as CLI11 fills them; which subcommand was given decides what runs.
struct commands {
  shell_options shell;
  std::vector<std::string> sqltest_files;
  std::string sqltest_engine = "local";
  std::string check_workload;
  std::string check_file;
  bool check_strict = false;
  std::int64_t bank_total = 100;
  std::size_t bank_accounts = 8;
  meridian::bench::storage_bench_options storage_options;
  meridian::bench::raft_bench_options raft_options;
  meridian::bench::txn_bench_options txn_options;
  meridian::bench::shard_bench_options shard_options;
  meridian::bench::sql_bench_options sql_options;
  std::string seed_text;
  meridian::sim::raft_sim_options raft_sim;
  meridian::sim::txn_sim_options txn_sim;
  meridian::sim::shard_sim_options shard_sim;
  CLI::App* sqltest = nullptr;
  CLI::App* check = nullptr;
  CLI::App* bench_storage = nullptr;
  CLI::App* bench_raft = nullptr;
  CLI::App* bench_txn = nullptr;
  CLI::App* bench_shards = nullptr;
  CLI::App* bench_sql = nullptr;
  CLI::App* sim_raft = nullptr;
  CLI::App* sim_txn = nullptr;
  CLI::App* sim_shards = nullptr;
};

void add_shell_commands(CLI::App& app, commands& c) {
  auto add_shell_options = [&c](CLI::App* cmd) {
    auto* data = cmd->add_option("--data", c.shell.data_dir, "data directory of the embedded cluster")
                     ->check(non_empty);
    // The embedded cluster's datacenters (topology::default_geo), checked before it starts.
    std::vector<std::string> dcs = meridian::topology::default_geo().latency.dcs;
    auto* dc = cmd->add_option("--dc", c.shell.dc, "the datacenter your session starts in")
                   ->check(CLI::IsMember(dcs));
    auto* wan = cmd->add_option("--wan-scale", c.shell.wan_scale,
                                "multiplies the inter-datacenter latencies (0 turns them off)")
                    ->check(CLI::Range(0.0, 100.0) & finite_number);
    auto* local =
        cmd->add_flag("--local", c.shell.local, "a single-node local database instead of the cluster");
    cmd->add_option("--local-dir", c.shell.local_dir, "where the local database lives (default: memory)")
        ->check(non_empty)
        ->needs(local);
    // A cluster's options with --local would be silently ignored (and --data's data lost).
    local->excludes(data)->excludes(dc)->excludes(wan);
  };
  add_shell_options(&app);
  auto* shell_cmd = app.add_subcommand("shell", "the SQL shell on an embedded cluster (the default)");
  add_shell_options(shell_cmd);
}

void add_sqltest_and_check(CLI::App& app, commands& c) {
  c.sqltest = app.add_subcommand("sqltest", "run sqllogictest files against a fresh database each");
  c.sqltest->add_option("files", c.sqltest_files, "sqllogictest files")->required()->check(CLI::ExistingFile);
  c.sqltest->add_option("--engine", c.sqltest_engine, "local or cluster")
      ->check(CLI::IsMember({"local", "cluster"}));

  c.check = app.add_subcommand("check", "check a saved history (JSON lines, Jepsen's shape)");
  c.check->footer(
      "Exit status: 0 valid; 1 anomalies found (each printed); 2 the file is not a history of the "
      "workload (unreadable, not JSON lines, operations that do not pair up or are not shaped as "
      "the workload's); 3 undecided (past the check's size or search bounds).");
  c.check->add_option("--workload", c.check_workload,
                    "bank, append or register (sim txn), or set (sim shards)")
      ->required()
      ->check(CLI::IsMember({"bank", "append", "register", "set"}));
  c.check->add_option("file", c.check_file, "the history file")->required()->check(CLI::ExistingFile);
  c.check->add_flag("--strict", c.check_strict,
                  "append: a transaction that began after another's acknowledgement must see it");
  c.check->add_option("--total", c.bank_total, "bank: the sum every read must show")
      ->check(CLI::Range(std::int64_t{-1'000'000'000'000'000}, std::int64_t{1'000'000'000'000'000}));
  c.check->add_option("--accounts", c.bank_accounts, "bank: the number of accounts")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
}

void add_bench_commands(CLI::App& app, commands& c) {
  auto* bench = app.add_subcommand("bench", "run a benchmark workload and print its figures");
  bench->require_subcommand(1);
  c.bench_storage =
      bench->add_subcommand("storage", "storage layer beside raw LMDB, in one run");
  c.bench_storage->add_option("--dir", c.storage_options.dir, "directory for the partitions");
  c.bench_storage->add_option("--keys", c.storage_options.keys, "keys to write and read")
      ->check(CLI::Range(1000, 100'000'000));
  c.bench_storage->add_option("--appenders", c.storage_options.appenders,
                            "concurrent Raft log appenders")
      ->check(CLI::Range(1, 4096));
  c.bench_storage->add_option("--append-seconds", c.storage_options.append_seconds,
                            "duration of the log-append phase")
      ->check(CLI::Range(0.5, 600.0) & finite_number);

  c.bench_raft = bench->add_subcommand(
      "raft", "commit latency (simulated WAN) and proposals/s of three replicas (fsync on)");
  c.bench_raft->add_option("--dir", c.raft_options.dir, "directory for the replicas' partitions");
  c.bench_raft->add_option("--proposers", c.raft_options.proposers, "concurrent proposers")
      ->check(CLI::Range(1, 4096));
  c.bench_raft->add_option("--seconds", c.raft_options.seconds, "duration of the real-time run")
      ->check(CLI::Range(1.0, 600.0) & finite_number);

  c.bench_txn = bench->add_subcommand(
      "txn", "commit latency per commit path (simulated WAN) and transfers/s (fsync on) beside "
             "their floors and raw replicated writes");
  c.bench_txn->add_option("--dir", c.txn_options.dir,
                        "directory for the cluster's temporary partitions (default: the binary's)");
  c.bench_txn->add_option("--seconds", c.txn_options.seconds, "duration of each real-time workload")
      ->check(CLI::Range(1.0, 600.0) & finite_number);
  c.bench_txn->add_option("--clients", c.txn_options.clients, "concurrent real-time clients")
      ->check(CLI::Range(1, 4096));
  c.bench_txn->add_option("--accounts", c.txn_options.accounts, "accounts the transfers touch")
      ->check(CLI::Range(4, 1'000'000));
  c.bench_txn->add_option("--simulated-txns", c.txn_options.simulated_txns,
                        "simulated transactions per commit path")
      ->check(CLI::Range(10, 100'000));

  c.bench_shards = bench->add_subcommand(
      "shards", "routing overhead (fsync on) and recovery after losing a datacenter (simulated)");
  c.bench_shards->add_option("--dir", c.shard_options.dir,
                           "directory for the cluster's temporary partitions (default: the "
                           "binary's)");
  c.bench_shards->add_option("--seconds", c.shard_options.seconds,
                           "seconds of writes per path, split over alternating rounds")
      ->check(CLI::Range(1.0, 600.0) & finite_number);
  c.bench_shards->add_option("--clients", c.shard_options.clients, "concurrent writers")
      ->check(CLI::Range(1, 4096));

  c.bench_sql = bench->add_subcommand(
      "sql", "parse + bind + plan of a point SELECT, and point SELECTs and INSERTs end to end on "
             "the local engine");
  c.bench_sql->add_option("--rows", c.sql_options.rows, "rows loaded before the point SELECTs")
      ->check(CLI::Range(1, 100'000'000));
}

void add_sim_commands(CLI::App& app, commands& c) {
  auto* sim = app.add_subcommand("sim", "run the deterministic simulator over many seeds");
  sim->require_subcommand(1);
  c.sim_raft = sim->add_subcommand(
      "raft", "Raft groups across three datacenters under faults; checks safety, "
              "linearizability and liveness");
  c.sim_raft->add_option("--seed-start", c.seed_text,
                       "first seed (default: $MERIDIAN_SEED, else the current time)")
      ->check(non_empty);
  c.sim_raft->add_option("--seeds", c.raft_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  c.sim_raft->add_option("--history", c.raft_sim.history_dir,
                       "write each seed's history as DIR/raft-register-<seed>.jsonl (check --workload register)");
  c.sim_raft->add_option("--fault-seconds", c.raft_sim.fault_seconds,
                       "simulated seconds of faults per seed")
      ->check(CLI::Range(1.0, 86400.0) & finite_number);
  c.sim_raft->add_option("--shards", c.raft_sim.shards, "Raft groups")->check(CLI::Range(1, 64));
  c.sim_raft->add_flag("--verbose", c.raft_sim.verbose, "print a line for every seed");

  c.sim_txn = sim->add_subcommand(
      "txn", "transactions across shards and datacenters under faults; checks the workload's "
             "invariants (bank), snapshot isolation (append) or linearizability (register)");
  c.sim_txn->add_option("--workload", c.txn_sim.workload, "bank, append or register")
      ->check(CLI::IsMember({"bank", "append", "register"}));
  c.sim_txn->add_option("--seed-start", c.seed_text,
                      "first seed (default: $MERIDIAN_SEED, else the current time)")
      ->check(non_empty);
  c.sim_txn->add_option("--seeds", c.txn_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  c.sim_txn->add_option("--history", c.txn_sim.history_dir,
                      "write each seed's history as DIR/<workload>-<seed>.jsonl");
  c.sim_txn->add_option("--fault-seconds", c.txn_sim.fault_seconds, "simulated seconds of faults")
      ->check(CLI::Range(1.0, 86400.0) & finite_number);
  c.sim_txn->add_option("--clients", c.txn_sim.clients, "concurrent coordinators")
      ->check(CLI::Range(1, 64));
  c.sim_txn->add_flag("--verbose", c.txn_sim.verbose, "print a line for every seed");

  c.sim_shards = sim->add_subcommand(
      "shards", "a sharded cluster under splits, leader moves, datacenter isolation and replica "
                "replacement; checks no write lost or doubled, availability and convergence");
  c.sim_shards->add_option("--seed-start", c.seed_text,
                         "first seed (default: $MERIDIAN_SEED, else the current time)")
      ->check(non_empty);
  c.sim_shards->add_option("--seeds", c.shard_sim.seeds, "how many seeds")->check(CLI::Range(1, 10'000'000));
  c.sim_shards->add_option("--history", c.shard_sim.history_dir,
                         "write each seed's history as DIR/set-<seed>.jsonl");
  c.sim_shards->add_flag("--verbose", c.shard_sim.verbose, "print a line for every seed");
}

int dispatch(commands& c) {
  if (c.check->parsed()) {
    return run_check(c.check_workload, c.check_file, c.check_strict, c.bank_total, c.bank_accounts);
  }
  if (c.sqltest->parsed()) {
    meridian::query::engine_factory factory =
        meridian::query::local_engine_factory(meridian::query::local_database::storage_kind::memory);
    if (c.sqltest_engine == "cluster") {
      factory = []() -> meridian::result<std::unique_ptr<meridian::query::sql_database>> {
        meridian::api::embedded_options e;
        e.data_dir.clear();  // in memory
        e.wan_scale = 0;     // the suite checks results, not latency
        return meridian::api::open_cluster_database(e);
      };
    }
    return meridian::query::run_sqllogictest(c.sqltest_files, factory);
  }
  // The simulator: its seed range and history directory are checked before any seed runs.
  auto simulate = [&c](auto& options, auto run) {
    auto first = seed_range(c.seed_text, options.seeds);
    if (!first) return usage_error(first.err().message());
    if (!options.history_dir.empty()) {
      if (auto s = prepare_output_dir(options.history_dir, "--history"); !s) {
        return usage_error(s.err().message());
      }
    }
    options.seed_start = *first;
    return run(options);
  };
  if (c.sim_txn->parsed()) return simulate(c.txn_sim, meridian::sim::run_txn_sim);
  if (c.sim_shards->parsed()) return simulate(c.shard_sim, meridian::sim::run_shard_sim);
  if (c.sim_raft->parsed()) return simulate(c.raft_sim, meridian::sim::run_raft_sim);

  // A benchmark's directory is checked before it starts (a failure inside a forked phase would
  // only show as missing figures).
  auto benchmark = [](const auto& options, auto run) {
    if (auto s = prepare_output_dir(options.dir, "--dir"); !s) return usage_error(s.err().message());
    return run(options);
  };
  if (c.bench_storage->parsed()) return benchmark(c.storage_options, meridian::bench::run_storage_bench);
  if (c.bench_raft->parsed()) return benchmark(c.raft_options, meridian::bench::run_raft_bench);
  if (c.bench_txn->parsed()) return benchmark(c.txn_options, meridian::bench::run_txn_bench);
  if (c.bench_shards->parsed()) return benchmark(c.shard_options, meridian::bench::run_shard_bench);
  if (c.bench_sql->parsed()) return meridian::bench::run_sql_bench(c.sql_options);

  return run_shell(c.shell);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Meridian: a geo-distributed SQL database built from actors"};
  app.require_subcommand(0, 1);
  commands c;
  c.txn_options.dir = binary_dir();
  c.shard_options.dir = binary_dir();
  add_shell_commands(app, c);
  add_sqltest_and_check(app, c);
  add_bench_commands(app, c);
  add_sim_commands(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return usage_error(std::string(e.what()) + " (meridian --help lists the options)");
  }
  return dispatch(c);
}
