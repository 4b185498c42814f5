// `meridian bench shards`: (1) routing overhead in real time (fsync on, WAN off): single-key
// replicated writes/s through the cluster client's router beside the same writes proposed
// straight to the shard leader's replica actor; (2) recovery in simulated time after the
// datacenter holding every leader is cut off, beside the Raft election timeout.
#pragma once

#include <string>

namespace meridian::bench {

struct shard_bench_options {
  std::string dir = ".";  // the real-time cluster's LMDB partitions go under a temp dir here
  double seconds = 6;     // of writes per path (router, direct), split over alternating rounds
  int clients = 64;       // concurrent writers, the same on both paths
};

int run_shard_bench(const shard_bench_options& options);

// The simulated part alone (shard_bench_recovery.cpp).
void simulated_recovery(const shard_bench_options& options);

}  // namespace meridian::bench
