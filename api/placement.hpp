// The cluster's side of SQL placement (query/hooks.hpp): where a table's rows should be led from.
// `leader_dc` gives the table its own shards (split at the table's first and last key) and
// prefers that datacenter for them; `home_dc_column` splits the rows at each datacenter's name
// (the first primary-key column) and prefers each range's own datacenter. The node services'
// balancers then move the leaders there. Also the cluster_view that EXPLAIN reads. Both talk
// to the cluster through an actor_engine's client; safe from any thread.
#pragma once

#include "actors/actor_engine.hpp"
#include "query/hooks.hpp"

namespace meridian::api {

class cluster_placement final : public query::placement_hook {
 public:
  // dcs: the cluster's datacenters, the first the default that leads unplaced shards. skip:
  // placement is left to the next start (embedded_options::skip_placement).
  cluster_placement(actors::actor_engine& engine, std::vector<std::string> dcs, bool skip = false)
      : engine_(engine), dcs_(std::move(dcs)), skip_(skip) {}
  status check(const query::table_placement& placement) const override;
  void table_placed(const query::table_descriptor& table, std::function<void(status)> done) override;
  void table_dropped(const query::table_descriptor& table, std::function<void(status)> done) override;

 private:
  actors::actor_engine& engine_;
  std::vector<std::string> dcs_;
  bool skip_ = false;
};

class cluster_view final : public query::cluster_view {
 public:
  cluster_view(actors::actor_engine& engine, const topology& topo) : engine_(engine), topo_(topo) {}
  std::vector<std::string> shards_for(std::string_view start, std::string_view end) const override;
  query::commit_estimate estimate_commit(std::size_t shards_written) const override;
  std::uint32_t timestamp_round_trips() const override { return 1; }

 private:
  actors::actor_engine& engine_;
  const topology& topo_;
};

}  // namespace meridian::api
