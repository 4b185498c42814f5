// The local placement hook and cluster view; see hooks.hpp.
#include "query/hooks.hpp"

#include <algorithm>

#include "common/topology.hpp"

namespace meridian::query {

status check_leader_dc(const table_placement& placement, const std::vector<std::string>& dcs) {
  if (placement.leader_dc.empty() ||
      std::find(dcs.begin(), dcs.end(), placement.leader_dc) != dcs.end()) {
    return ok_status();
  }
  std::string known;
  for (const auto& d : dcs) known += (known.empty() ? "" : ", ") + d;
  return error(errc::sql_invalid_value,
               "leader_dc '" + placement.leader_dc + "' is not a datacenter (" + known + ")");
}

status local_placement_hook::check(const table_placement& placement) const {
  // A single node has no datacenters of its own; names are checked against the embedded
  // cluster's, so a schema written here is one the cluster accepts.
  return check_leader_dc(placement, latency_matrix::default_geo().dcs);
}

void local_placement_hook::table_placed(const table_descriptor& table,
                                        std::function<void(status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(event{table.name, table.placement, false});
  }
  done(ok_status());
}

void local_placement_hook::table_dropped(const table_descriptor& table,
                                         std::function<void(status)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(event{table.name, table.placement, true});
  }
  done(ok_status());
}

std::vector<local_placement_hook::event> local_placement_hook::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::vector<std::string> local_cluster_view::shards_for(std::string_view, std::string_view) const {
  return {"local"};
}

commit_estimate local_cluster_view::estimate_commit(std::size_t shards_written) const {
  if (shards_written == 0) return {0, "read-only"};
  return {1, "local one-phase"};
}

}  // namespace meridian::query
