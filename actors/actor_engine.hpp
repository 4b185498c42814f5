// A transaction engine for threads that are not actors (the shell, the API server, tools): every
// call is handed to a client actor that hosts the node's cluster client and the coordinator, and
// completes through the caller's callback on that actor's thread. Calls that return at once
// (put, delete...) are run on the actor too, the caller waiting for them — unless the caller
// already is that actor (a callback continuing the statement), which then runs them directly.
// Safe to use from any thread; the engine must outlive its transactions.
#pragma once

#include <caf/actor.hpp>

#include <memory>

#include "actors/cluster.hpp"
#include "actors/coordinator.hpp"

namespace meridian::actors {

class actor_engine final : public txn::transaction_engine {
 public:
  // Spawns the client actor for `home` (the node whose datacenter the client sits in).
  actor_engine(caf::actor_system& system, const cluster& c, node_id home,
               coordinator_options options = {});
  ~actor_engine() override;

  void begin(txn::begin_options options,
             txn::callback<std::unique_ptr<txn::transaction>> done) override;

  // Runs `fn` on the client actor's thread, after `delay_ms` (0: at once).
  void post(std::function<void()> fn, std::uint64_t delay_ms = 0);
  // Runs `fn` with the client's cluster view (directory, leader hints, commands) on its thread.
  void with_io(std::function<void(actor_io&)> fn);
  // The same, waiting for `fn` to return (directly when the caller is the client actor).
  void with_io_sync(const std::function<void(actor_io&)>& fn);
  node_id home() const { return home_; }

  struct shared;

 private:
  std::shared_ptr<shared> shared_;
  node_id home_;
};

}  // namespace meridian::actors
