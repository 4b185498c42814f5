// The simulator's transaction client; see txn_client.hpp.
#include "sim/txn_client.hpp"

#include <caf/all.hpp>

namespace meridian::sim {
namespace {

struct client_state {
  std::unique_ptr<actors::actor_io> io;
  std::unique_ptr<actors::cluster_engine> engine;
  static inline const char* name = "meridian.sim.txn_client";
};

caf::behavior client_behavior(caf::stateful_actor<client_state>* self,
                              std::shared_ptr<actors::transport> net, node_id home,
                              std::vector<node_id> meta_nodes,
                              std::function<std::uint64_t()> clock, actors::actor_io_options io_options,
                              actors::coordinator_options options,
                              std::shared_ptr<actors::cluster_engine*> engine_out,
                              std::shared_ptr<actors::actor_io*> io_out) {
  self->state.io = std::make_unique<actors::actor_io>(self, std::move(net), home,
                                                      std::move(meta_nodes), std::move(clock),
                                                      io_options);
  self->state.engine = std::make_unique<actors::cluster_engine>(*self->state.io, options);
  *engine_out = self->state.engine.get();
  *io_out = self->state.io.get();
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  return {[=](actors::job& j) { j.run(); }};
}

}  // namespace

txn_client spawn_txn_client(caf::actor_system& system, const actors::cluster& c, node_id home,
                            actors::coordinator_options options) {
  txn_client out;
  if (!options.active) options.active = c.active_set(home);
  out.engine = std::make_shared<actors::cluster_engine*>(nullptr);
  out.io = std::make_shared<actors::actor_io*>(nullptr);
  out.handle = system.spawn(client_behavior, c.net(), home, c.meta_nodes(), c.clock(),
                            c.io_options(), options, out.engine, out.io);
  return out;
}

void post(const txn_client& client, std::function<void()> fn) {
  caf::anon_send(client.handle, actors::job{std::move(fn)});
}

}  // namespace meridian::sim
