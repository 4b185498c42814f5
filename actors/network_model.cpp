// The network model; see network_model.hpp.
#include "actors/network_model.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::actors {

network_model::network_model(const topology& t, std::uint64_t seed) : topology_(t), rng_(seed) {
  for (const auto& n : t.nodes) dc_of_[n.id] = n.dc;
}

std::int64_t network_model::base_delay_us(node_id from, node_id to) const {
  auto a = dc_of_.find(from);
  auto b = dc_of_.find(to);
  if (a == dc_of_.end() || b == dc_of_.end()) return 0;
  return static_cast<std::int64_t>(std::llround(topology_.latency.rtt(a->second, b->second) * 500));
}

std::vector<std::int64_t> network_model::deliveries(node_id from, node_id to) {
  std::vector<std::int64_t> out;
  if (!connected(from, to)) return out;
  std::uniform_real_distribution<double> unit(0, 1);
  if (faults_.drop_probability > 0 && unit(rng_) < faults_.drop_probability) return out;
  int copies = (faults_.duplicate_probability > 0 && unit(rng_) < faults_.duplicate_probability)
                   ? 2
                   : 1;
  for (int i = 0; i < copies; ++i) {
    std::int64_t delay = base_delay_us(from, to);
    if (faults_.max_extra_delay_ms > 0) {
      delay += static_cast<std::int64_t>(unit(rng_) * faults_.max_extra_delay_ms * 1000);
    }
    out.push_back(delay);
  }
  return out;
}

void network_model::cut(node_id a, node_id b) {
  if (a == b) return;
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void network_model::isolate(node_id n) {
  for (const auto& other : topology_.nodes) cut(n, other.id);
}

void network_model::partition(const std::vector<std::vector<node_id>>& groups) {
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t h = g + 1; h < groups.size(); ++h) {
      for (node_id a : groups[g]) {
        for (node_id b : groups[h]) cut(a, b);
      }
    }
  }
}

void network_model::bridge(const std::vector<node_id>& left, node_id middle,
                           const std::vector<node_id>& right) {
  for (node_id a : left) {
    for (node_id b : right) cut(a, b);
  }
  (void)middle;  // the bridge keeps its links to both sides
}

void network_model::majority_ring(const std::vector<node_id>& ring) {
  // Each node keeps its neighbours within distance d, so it sees 1 + 2d >= n/2 + 1 nodes.
  std::size_t n = ring.size();
  std::size_t d = (n / 2 + 1) / 2;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      std::size_t distance = std::min(j - i, n - (j - i));
      if (distance > d) cut(ring[i], ring[j]);
    }
  }
}

void network_model::heal() { cut_.clear(); }

bool network_model::connected(node_id a, node_id b) const {
  return a == b || cut_.count({a, b}) == 0;
}

}  // namespace meridian::actors
