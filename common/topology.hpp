// The cluster's geography: datacenters, the round-trip latency between them, and the nodes that
// live in each. Plain configuration with validate() (TIGER_STYLE: reject nonsense before anything
// starts); shared read-only by every layer that needs to know where things are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace meridian {

using node_id = std::uint64_t;  // 0 = none
using shard_id = std::uint64_t;

struct latency_matrix {
  std::vector<std::string> dcs;
  // rtt_ms[i][j]: round trip between datacenters i and j; the diagonal is unused.
  std::vector<std::vector<double>> rtt_ms;
  double intra_dc_rtt_ms = 1.0;
  // Multiplies every round trip; 0 turns simulated WAN latency off (benchmarks of raw speed).
  double wan_scale = 1.0;

  // us-east, eu-west, ap-south with real inter-region round trips (DESIGN.md "Timestamps and
  // geography"): 75 ms, 190 ms and 120 ms.
  static latency_matrix default_geo();
  // Five datacenters (default_geo plus us-west and eu-north): groups of five replicas, where a
  // majority-ring partition leaves every node a different majority.
  static latency_matrix wide_geo();

  // REQUIRES: validate().ok(); a and b are indexes into dcs.
  double rtt(std::size_t a, std::size_t b) const;
  double max_rtt_ms() const;
  // Index of a datacenter by name, or dcs.size() when unknown.
  std::size_t index_of(const std::string& dc) const;
  status validate() const;
};

struct node_info {
  node_id id = 0;
  std::size_t dc = 0;  // index into latency_matrix::dcs
};

struct topology {
  latency_matrix latency;
  std::vector<node_info> nodes;

  // One node per datacenter of default_geo(), ids 1, 2, 3.
  static topology default_geo(std::size_t nodes_per_dc = 1);
  static topology wide_geo();
  const node_info* find(node_id id) const;
  status validate() const;
};

}  // namespace meridian
