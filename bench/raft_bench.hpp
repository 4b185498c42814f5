// `meridian bench raft`: (1) commit latency in simulated time with WAN latencies, beside the
// leader's quorum round trip; (2) real-time proposals/s and latency of three replicas in one
// process, fsync on, WAN latency off, 64 concurrent proposers of 100-byte commands.
#pragma once

#include <string>

namespace meridian::bench {

struct raft_bench_options {
  std::string dir = ".";
  int proposers = 64;
  double seconds = 10;
  std::size_t command_bytes = 100;
  int simulated_proposals = 2000;
};

int run_raft_bench(const raft_bench_options& options);

// The real-time part alone, in a forked child: raw replicated writes (100-byte register commands
// through one Raft group's leader, fsync on, WAN off), the baseline other benchmarks set their
// throughput beside. ok = false when the child failed.
struct replicated_write_figures {
  bool ok = false;
  double ops_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double errors = 0;
  long peak_rss_kib = 0;
};
replicated_write_figures measure_replicated_writes(const raft_bench_options& options);

}  // namespace meridian::bench
