// `meridian bench storage`: our storage layer beside raw LMDB doing the same work, in one run.
#pragma once

#include <cstddef>
#include <string>

namespace meridian::bench {

struct storage_bench_options {
  std::string dir = ".";          // where the partitions go (the disk the database would use)
  std::size_t keys = 1'000'000;   // 16-byte keys, 100-byte values, random order
  std::size_t appenders = 64;     // concurrent Raft log appenders
  double append_seconds = 5;      // duration of the log-append phase
};

// Prints the figures; returns 0, or 1 when a phase failed.
int run_storage_bench(const storage_bench_options& options);

}  // namespace meridian::bench
