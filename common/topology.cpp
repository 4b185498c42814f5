// Topology defaults and validation; see topology.hpp.
#include "common/topology.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace meridian {

latency_matrix latency_matrix::default_geo() {
  latency_matrix m;
  m.dcs = {"us-east", "eu-west", "ap-south"};
  m.rtt_ms = {{0, 75, 190}, {75, 0, 120}, {190, 120, 0}};
  return m;
}

latency_matrix latency_matrix::wide_geo() {
  latency_matrix m;
  m.dcs = {"us-east", "eu-west", "ap-south", "us-west", "eu-north"};
  m.rtt_ms = {{0, 75, 190, 65, 95},
              {75, 0, 120, 140, 30},
              {190, 120, 0, 220, 150},
              {65, 140, 220, 0, 155},
              {95, 30, 150, 155, 0}};
  return m;
}

double latency_matrix::rtt(std::size_t a, std::size_t b) const {
  return (a == b ? intra_dc_rtt_ms : rtt_ms[a][b]) * wan_scale;
}

double latency_matrix::max_rtt_ms() const {
  double m = intra_dc_rtt_ms * wan_scale;
  for (std::size_t a = 0; a < dcs.size(); ++a) {
    for (std::size_t b = 0; b < dcs.size(); ++b) m = std::max(m, rtt(a, b));
  }
  return m;
}

std::size_t latency_matrix::index_of(const std::string& dc) const {
  auto it = std::find(dcs.begin(), dcs.end(), dc);
  return static_cast<std::size_t>(it - dcs.begin());
}

status latency_matrix::validate() const {
  auto bad = [](const std::string& why) {
    return error(errc::invalid_config, "latency matrix: " + why);
  };
  if (dcs.empty()) return bad("no datacenters");
  if (std::set<std::string>(dcs.begin(), dcs.end()).size() != dcs.size()) {
    return bad("datacenter names repeat");
  }
  if (rtt_ms.size() != dcs.size()) return bad("rtt_ms needs one row per datacenter");
  for (std::size_t a = 0; a < dcs.size(); ++a) {
    if (rtt_ms[a].size() != dcs.size()) return bad("rtt_ms row " + dcs[a] + " has wrong size");
    for (std::size_t b = 0; b < dcs.size(); ++b) {
      double v = rtt_ms[a][b];
      if (a != b && (!(v >= 0) || v > 10'000)) {
        return bad("round trip " + dcs[a] + "-" + dcs[b] + " must be within 0..10000 ms");
      }
      if (rtt_ms[a][b] != rtt_ms[b][a]) return bad(dcs[a] + "-" + dcs[b] + " is not symmetric");
    }
  }
  if (!(intra_dc_rtt_ms >= 0) || intra_dc_rtt_ms > 1000) {
    return bad("intra-datacenter round trip must be within 0..1000 ms");
  }
  if (!(wan_scale >= 0) || wan_scale > 100) return bad("wan_scale must be within 0..100");
  return ok_status();
}

topology topology::default_geo(std::size_t nodes_per_dc) {
  topology t;
  t.latency = latency_matrix::default_geo();
  node_id next = 1;
  for (std::size_t n = 0; n < nodes_per_dc; ++n) {
    for (std::size_t dc = 0; dc < t.latency.dcs.size(); ++dc) t.nodes.push_back({next++, dc});
  }
  return t;
}

topology topology::wide_geo() {
  topology t;
  t.latency = latency_matrix::wide_geo();
  for (std::size_t dc = 0; dc < t.latency.dcs.size(); ++dc) t.nodes.push_back({dc + 1, dc});
  return t;
}

const node_info* topology::find(node_id id) const {
  for (const auto& n : nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

status topology::validate() const {
  MERIDIAN_TRY(latency.validate());
  std::set<node_id> ids;
  for (const auto& n : nodes) {
    if (n.id == 0) return error(errc::invalid_config, "node id 0 is reserved for 'none'");
    if (!ids.insert(n.id).second) {
      return error(errc::invalid_config, "node id " + std::to_string(n.id) + " repeats");
    }
    if (n.dc >= latency.dcs.size()) {
      return error(errc::invalid_config,
                   "node " + std::to_string(n.id) + " is in an unknown datacenter");
    }
  }
  return ok_status();
}

}  // namespace meridian
