// The network as the embedded transport and the simulator see it: one-way delays from the
// latency matrix, and the faults a seeded schedule turns on — partitions (any set of blocked
// node pairs: isolation, majority rings, bridges), message drop, duplication, and extra random
// delay that reorders messages. Pure and deterministic for a given seed; the transport owns one
// and consults it under its lock.
#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/topology.hpp"

namespace meridian::actors {

struct fault_config {
  double drop_probability = 0;
  double duplicate_probability = 0;
  // Up to this much extra one-way delay per message, uniformly: messages overtake each other.
  double max_extra_delay_ms = 0;
};

class network_model {
 public:
  network_model(const topology& t, std::uint64_t seed);

  // One-way delays, in microseconds, of the copies of one message from `from` to `to`:
  // empty when it is dropped or the link is cut, two entries when it is duplicated.
  std::vector<std::int64_t> deliveries(node_id from, node_id to);

  void set_faults(const fault_config& f) { faults_ = f; }
  const fault_config& faults() const { return faults_; }

  // Cuts both directions between a and b.
  void cut(node_id a, node_id b);
  // Cuts `n` from every other node.
  void isolate(node_id n);
  // Cuts every link between nodes of different groups (nodes in no group keep all links).
  void partition(const std::vector<std::vector<node_id>>& groups);
  // Two halves that only `bridge` connects (Jepsen's bridge partition).
  void bridge(const std::vector<node_id>& left, node_id bridge, const std::vector<node_id>& right);
  // Every node reaches its ring neighbours only; with five or more nodes each still sees a
  // majority, but not the same one (Jepsen's majorities ring).
  void majority_ring(const std::vector<node_id>& ring);
  void heal();
  bool connected(node_id a, node_id b) const;
  std::size_t cut_links() const { return cut_.size() / 2; }

  // One-way delay between two nodes with no faults, microseconds.
  std::int64_t base_delay_us(node_id from, node_id to) const;
  std::mt19937_64& rng() { return rng_; }

 private:
  topology topology_;
  std::unordered_map<node_id, std::size_t> dc_of_;
  std::set<std::pair<node_id, node_id>> cut_;
  fault_config faults_;
  std::mt19937_64 rng_;
};

}  // namespace meridian::actors
