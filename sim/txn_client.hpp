// A client actor for the simulator and tests: it hosts a cluster client (actor_io) for one node
// and a transaction engine (cluster_engine) on top, and runs jobs posted to it, so workload code
// drives transactions from inside the actor system without ever blocking it.
#pragma once

#include <caf/actor.hpp>

#include <functional>
#include <memory>

#include "actors/cluster.hpp"
#include "actors/coordinator.hpp"

namespace meridian::sim {

struct txn_client {
  caf::actor handle;
  // Valid while the actor lives; use only inside jobs run by the actor.
  std::shared_ptr<actors::cluster_engine*> engine;
  std::shared_ptr<actors::actor_io*> io;
};

txn_client spawn_txn_client(caf::actor_system& system, const actors::cluster& c, node_id home,
                            actors::coordinator_options options = {});

// Posts `fn` to run on the client's thread.
void post(const txn_client& client, std::function<void()> fn);

}  // namespace meridian::sim
