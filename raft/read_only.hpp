// The leader's queue of linearizable read requests (etcd's read_only.go, keyed by heartbeat
// rounds instead of request contexts so two followers' contexts can never collide). Each request
// records the commit index when it arrived and the round of the heartbeat broadcast it triggered;
// once a quorum acknowledged that round (or a later one), leadership at arrival is confirmed and
// the request is answered with its index. Owned by the core, on the owner's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

struct read_request {
  std::uint64_t index = 0;  // the leader's commit index when the request arrived
  std::string context;
  node_id from = no_node;  // the node that asked (the leader itself for a local request)
  std::uint64_t round = 0;
};

// Invariant: size() <= max_pending; rounds of queued requests strictly increase.
class read_only {
 public:
  explicit read_only(std::size_t max_pending) : max_pending_(max_pending) {}

  // Queues a request at commit index `index` under a new round, returned.
  // limit_exceeded when max_pending requests already wait.
  result<std::uint64_t> add(std::uint64_t index, std::string context, node_id from);
  // Removes and returns every request whose round <= confirmed_round, oldest first.
  std::vector<read_request> release(std::uint64_t confirmed_round);

  // Requests that arrived before the leader committed an entry of its term; they are handled
  // once it has. limit_exceeded when full.
  status defer(std::string context, node_id from);
  std::vector<read_request> take_deferred();

  // The newest round issued (0: none yet). Rounds grow for the node's lifetime, across terms.
  std::uint64_t last_round() const { return next_round_ - 1; }
  // Drops every waiting request (leadership lost: their askers retry).
  void clear();
  std::size_t size() const { return pending_.size() + deferred_.size(); }

 private:
  status check_room() const;

  std::size_t max_pending_;
  std::deque<read_request> pending_;
  std::vector<read_request> deferred_;
  std::uint64_t next_round_ = 1;
};

}  // namespace meridian::raft
