// `meridian bench txn`: (1) commit latency in simulated time with WAN latencies, the client, the
// timestamp oracle and every shard leader in us-east, for one-phase, async and classic commits,
// beside the physical floor (a TSO round trip plus one quorum round trip); (2) real-time
// transfers/s of 64 clients over 1,000 accounts (fsync on, WAN off), single-shard and
// cross-shard, beside raw replicated writes/s of the Raft benchmark measured in the same run.
#pragma once

#include <string>

namespace meridian::bench {

struct txn_bench_options {
  std::string dir = ".";   // the real-time cluster's LMDB partitions go under a temp dir here
  double seconds = 8;      // per real-time workload (single-shard, cross-shard, the baseline)
  int clients = 64;        // concurrent logical clients in real time
  int accounts = 1000;     // half in each of two data shards
  int simulated_txns = 300;  // per commit path
};

int run_txn_bench(const txn_bench_options& options);

// The simulated part alone (txn_bench_sim.cpp).
void simulated_commit_latency(const txn_bench_options& options);

}  // namespace meridian::bench
