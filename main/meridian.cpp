// The `meridian` binary: one entry point with subcommands (DESIGN.md "Processes and commands").
// This is the only file that includes CLI11; each subcommand hands off to a library function.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "bench/storage_bench.hpp"

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

  CLI11_PARSE(app, argc, argv);

  if (bench_storage->parsed()) return meridian::bench::run_storage_bench(storage_options);

  std::printf(
      "Meridian — what exists so far: the storage layer (LMDB partitions with Percolator's\n"
      "column families and the Raft log store). The SQL shell and the cluster are not built yet.\n"
      "Try:  meridian bench storage --keys 100000\n");
  return 0;
}
