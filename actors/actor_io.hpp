// cluster_io inside an actor: the coordinator's view of the cluster from one node. It routes by a
// cached shard directory (reloaded from the meta shard on demand), finds shard leaders by
// following hints, retries what may be retried within a deadline, batches timestamp requests
// (one round trip to the timestamp oracle serves every request waiting), and pays the network's
// one-way delay both ways on every request (the latency matrix, and faults, apply to clients
// too). The hosting actor must run `job` messages (messages.hpp); everything runs on its thread.
#pragma once

#include <caf/fwd.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include "actors/coordinator.hpp"
#include "actors/directory.hpp"
#include "actors/messages.hpp"
#include "actors/timer_queue.hpp"
#include "actors/transport.hpp"

namespace meridian::actors {

struct actor_io_options {
  std::chrono::milliseconds rpc_timeout{2'000};
  // How long one command or query keeps trying leaders before it fails (unavailable).
  std::uint64_t request_deadline_ms = 8'000;
  std::uint64_t max_backoff_ms = 300;
  // A node that let a request time out is tried last, for this long, while another candidate
  // is not suspected: after a datacenter is cut off, only the first request from this node pays
  // the timeout (the suspicion is the node's, shared through the transport).
  std::uint64_t suspect_ms = 5'000;
};

class actor_io final : public cluster_io {
 public:
  actor_io(caf::event_based_actor* self, std::shared_ptr<transport> net, node_id home,
           std::vector<node_id> meta_nodes, std::function<std::uint64_t()> clock_ms,
           actor_io_options options = {});

  std::optional<route> locate(std::string_view key) override;
  std::optional<route> locate_before(std::string_view key) override;
  void refresh(txn::callback<txn::unit> done) override;
  void command(shard_id shard, std::string bytes, txn::callback<std::string> done,
               resend_counter resends = nullptr) override;
  void query(shard_id shard, std::string bytes, txn::callback<std::string> done,
             resend_counter resends = nullptr) override;
  void query_stale(shard_id shard, std::string bytes, txn::callback<std::string> done) override;
  void timestamp(txn::callback<std::uint64_t> done, resend_counter resends = nullptr) override;
  void after(std::uint64_t delay_ms, std::function<void()> fn) override;
  std::uint64_t now_ms() override { return clock_ms_(); }

  node_id home() const { return home_; }
  // Asks this node's service to split `shard` at `key` (directory updated when it answers).
  void split(shard_id shard, std::string key, txn::callback<txn::unit> done);
  // Asks every node's balancer to move leaders to their preferred datacenters now rather than
  // at its next round (a placement just changed preferences).
  void rebalance();
  transport& network() { return *net_; }
  const directory& shards() const { return directory_; }
  node_id leader_hint(shard_id shard) const;
  // Leader of the meta shard, as last learned (the timestamp oracle runs there).
  node_id tso_hint() const { return tso_hint_; }

 private:
  enum class kind : std::uint8_t { propose, read, tso, stale };
  // One request to `target` on node `to`, after the one-way delay there, answered after the
  // delay back; a cut link or a lost message surfaces as the timeout.
  // The payload is shared by a request's attempts: each copies it only into its message.
  using shared_bytes = std::shared_ptr<const std::string>;
  void call(node_id to, caf::actor target, kind k, shared_bytes payload,
            std::function<void(result<shard_reply>)> done);
  // The request itself, once at `to`; `deliver` takes the answer back.
  void dispatch(node_id to, const caf::actor& target, kind k, const shared_bytes& payload,
                std::shared_ptr<std::function<void(result<shard_reply>)>> deliver);
  void send(shard_id shard, kind k, shared_bytes payload, std::uint64_t deadline_ms, int attempt,
            txn::callback<std::string> done, resend_counter resends = nullptr);
  // One command or query, shared by its attempts.
  struct request {
    shard_id shard;
    kind k;
    shared_bytes payload;
    std::uint64_t deadline_ms;
    txn::callback<std::string> done;
    resend_counter resends;  // may be null
  };
  void send_attempt(std::shared_ptr<request> req, int attempt);
  void retry(std::shared_ptr<request> req, int attempt, const error& why, bool at_once);
  // Valid until the directory changes.
  const std::vector<node_id>& candidates(shard_id shard) const;
  // Where attempt `attempt` goes: the leader hint, else the candidates in turn, passing over
  // suspected nodes while one is not.
  node_id pick(const std::vector<node_id>& nodes, node_id hint, int attempt);
  void suspect(node_id n) { net_->suspect(home_, n, now_ms() + options_.suspect_ms); }
  bool suspected(node_id n) { return net_->suspected(home_, n, now_ms()); }
  void answered(node_id n) { net_->clear_suspicion(home_, n); }
  // A leader hint naming a node outside the cached replica list: the list is stale (a replica
  // was replaced), so the directory is reloaded in the background.
  void learn_hint(shard_id shard, node_id hint);
  node_id nearest(const std::vector<node_id>& nodes) const;
  void request_timestamps();
  void tso_attempt(std::uint32_t count, std::uint64_t deadline_ms, int attempt);
  std::uint64_t backoff(int attempt) const;
  void wake(timer_queue::clock::time_point armed);

  caf::event_based_actor* self_;
  std::shared_ptr<transport> net_;
  node_id home_;
  std::vector<node_id> meta_nodes_;
  std::function<std::uint64_t()> clock_ms_;
  actor_io_options options_;
  directory directory_;
  std::map<shard_id, node_id> leader_hint_;
  std::vector<txn::callback<txn::unit>> refresh_waiting_;
  bool refreshing_ = false;
  std::vector<txn::callback<std::uint64_t>> tso_waiting_;
  std::vector<resend_counter> tso_resends_;  // tso_waiting_'s counters, index for index
  bool tso_in_flight_ = false;
  node_id tso_hint_ = 0;
  timer_queue timers_;  // after() and request timeouts
};

}  // namespace meridian::actors
