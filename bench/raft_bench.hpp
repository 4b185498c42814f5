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

}  // namespace meridian::bench
