// The local placement hook and cluster view; see hooks.hpp.
#include "query/hooks.hpp"

namespace meridian::query {

status local_placement_hook::check(const table_placement& placement) const {
  (void)placement;  // a single node has no datacenters to check names against
  return ok_status();
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
