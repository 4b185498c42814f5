// The in-process transport: replicas address each other by node id (and shard id), never by raw
// actor handle. Each message is delayed by the one-way latency between the two nodes'
// datacenters and subjected to the network model's faults (drop, duplicate, reorder,
// partition). Thread-safe: shared by every replica actor of a process; under the deterministic
// simulator every call happens on the one scheduler thread, so the seeded model stays replayable.
// Cluster mode carries the same registered message types over CAF's middleman instead.
#pragma once

#include <caf/actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "actors/network_model.hpp"

namespace meridian::actors {

// Endpoints that are not shard replicas are registered under reserved shard ids.
inline constexpr shard_id tso_endpoint = ~shard_id{0};
inline constexpr shard_id service_endpoint = ~shard_id{0} - 1;

class transport {
 public:
  transport(const topology& t, std::uint64_t seed) : topology_(t), model_(t, seed) {}

  void register_endpoint(node_id node, shard_id shard, caf::actor handle) {
    std::lock_guard<std::mutex> lock(mu_);
    endpoints_[{node, shard}] = std::move(handle);
  }
  void unregister_endpoint(node_id node, shard_id shard) {
    std::lock_guard<std::mutex> lock(mu_);
    endpoints_.erase({node, shard});
  }
  caf::actor endpoint(node_id node, shard_id shard) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = endpoints_.find({node, shard});
    return it == endpoints_.end() ? caf::actor() : it->second;
  }

  // Sends `msg` from node `from` to the replica of `shard` on node `to`, through the network
  // model. Returns the number of copies put on the wire (0 = dropped or unreachable).
  template <class T>
  std::size_t send(node_id from, node_id to, shard_id shard, const T& msg) {
    caf::actor dest;
    std::vector<std::int64_t> delays;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = endpoints_.find({to, shard});
      if (it == endpoints_.end()) return 0;
      dest = it->second;
      delays = model_.deliveries(from, to);
    }
    for (std::int64_t us : delays) {
      if (us <= 0) {
        caf::anon_send(dest, msg);
      } else {
        caf::delayed_anon_send(dest, std::chrono::microseconds(us), msg);
      }
    }
    return delays.size();
  }

  // The one-way delay, in microseconds, of a client request (or its answer) from `from` to `to`:
  // nullopt when the link is cut or the message is lost (the caller then sees its timeout).
  std::optional<std::int64_t> rpc_delay_us(node_id from, node_id to) {
    std::lock_guard<std::mutex> lock(mu_);
    auto copies = model_.deliveries(from, to);
    if (copies.empty()) return std::nullopt;
    return copies.front();
  }

  // Runs `f` on the network model under the transport's lock (fault injection).
  template <class F>
  auto with_model(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(model_);
  }

  const topology& topo() const { return topology_; }

  // A node's failure detector, shared by every client on it (routers, the node service, the GC
  // driver): a request from `home` to `to` timed out, so `to` is tried last until `until_ms`.
  // One timeout then spares every other client on the node the same wait. Times are the
  // clients' clock (simulated time under the simulator).
  void suspect(node_id home, node_id to, std::uint64_t until_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    suspect_until_ms_[{home, to}] = until_ms;
  }
  void clear_suspicion(node_id home, node_id to) {
    std::lock_guard<std::mutex> lock(mu_);
    suspect_until_ms_.erase({home, to});
  }
  bool suspected(node_id home, node_id to, std::uint64_t now_ms) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = suspect_until_ms_.find({home, to});
    return it != suspect_until_ms_.end() && it->second > now_ms;
  }

 private:
  const topology topology_;
  mutable std::mutex mu_;
  network_model model_;
  std::map<std::pair<node_id, shard_id>, caf::actor> endpoints_;
  std::map<std::pair<node_id, node_id>, std::uint64_t> suspect_until_ms_;
};

}  // namespace meridian::actors
