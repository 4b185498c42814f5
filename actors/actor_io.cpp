// cluster_io inside an actor; see actor_io.hpp.
#include "actors/actor_io.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <utility>

#include "actors/meta_machine.hpp"
#include "actors/shard_protocol.hpp"
#include "storage/key_codec.hpp"

namespace meridian::actors {

actor_io::actor_io(caf::event_based_actor* self, std::shared_ptr<transport> net, node_id home,
                   std::vector<node_id> meta_nodes, std::function<std::uint64_t()> clock_ms,
                   actor_io_options options)
    : self_(self), net_(std::move(net)), home_(home), meta_nodes_(std::move(meta_nodes)),
      clock_ms_(std::move(clock_ms)), options_(options) {}

std::uint64_t actor_io::backoff(int attempt) const {
  return std::min<std::uint64_t>(options_.max_backoff_ms, std::uint64_t{10} << std::min(attempt, 8));
}

void actor_io::after(std::uint64_t delay_ms, std::function<void()> fn) {
  if (delay_ms == 0) return self_->send(self_, job{std::move(fn)});
  auto now = self_->clock().now();
  auto delay = std::chrono::duration_cast<timer_queue::clock::duration>(
      std::chrono::milliseconds(delay_ms));
  auto wakeup = timers_.add(now + delay, timer_slack(delay), std::move(fn));
  if (!wakeup) return;
  self_->delayed_send(self_, *wakeup - now, job{[this, at = *wakeup] { wake(at); }});
}

void actor_io::wake(timer_queue::clock::time_point armed) {
  for (auto& fn : timers_.fire(armed, self_->clock().now())) fn();
}

node_id actor_io::leader_hint(shard_id shard) const {
  auto it = leader_hint_.find(shard);
  return it == leader_hint_.end() ? 0 : it->second;
}

std::optional<route> actor_io::locate(std::string_view key) {
  const shard_record* r = directory_.lookup(key);
  if (!r) return std::nullopt;
  return route{r->id, r->epoch, r->start, r->end};
}

std::optional<route> actor_io::locate_before(std::string_view key) {
  const shard_record* best = nullptr;
  for (const auto& r : directory_.all()) {
    bool below = key.empty() || r.start < key;
    if (below && (!best || r.start > best->start)) best = directory_.find(r.id);
  }
  if (!best) return std::nullopt;
  return route{best->id, best->epoch, best->start, best->end};
}

const std::vector<node_id>& actor_io::candidates(shard_id shard) const {
  static const std::vector<node_id> none;
  if (shard == meta_shard) return meta_nodes_;
  const shard_record* r = directory_.find(shard);
  return r ? r->replicas : none;
}

void actor_io::call(node_id to, caf::actor target, kind k, shared_bytes payload,
                    std::function<void(result<shard_reply>)> done) {
  // Every continuation below shares one callback: copying it into each would copy everything
  // it holds (the caller's whole retry chain) several times per request.
  auto cb = std::make_shared<std::function<void(result<shard_reply>)>>(std::move(done));
  auto timeout = options_.rpc_timeout;
  auto lost = [this, timeout, to, cb] {
    after(static_cast<std::uint64_t>(timeout.count()), [this, to, cb] {
      suspect(to);
      (*cb)(error(errc::timeout, "the request or its answer was lost on the network"));
    });
  };
  auto there = net_->rpc_delay_us(home_, to);
  if (!there || !target) return lost();
  // A hop with no delay (one process, no latency model) skips the actor clock: a delayed message
  // would pass through the clock's thread and cost two context switches per request. The answer
  // still arrives as a job: callers' code runs in jobs, never inside a response handler (the
  // embedded engine relies on it to tell when it is on the actor's thread).
  auto deliver = std::make_shared<std::function<void(result<shard_reply>)>>(
      [this, to, cb, lost](result<shard_reply> r) {
        auto back = net_->rpc_delay_us(to, home_);
        if (!back) return lost();
        if (r || r.err().code() != errc::timeout) answered(to);
        job answer{[cb, r = std::move(r)] { (*cb)(r); }};
        if (*back == 0) return self_->send(self_, std::move(answer));
        self_->delayed_send(self_, std::chrono::microseconds(*back), std::move(answer));
      });
  if (*there == 0) return dispatch(to, target, k, payload, deliver);
  self_->delayed_send(self_, std::chrono::microseconds(*there),
                      job{[this, target, k, payload, to, deliver] {
                        dispatch(to, target, k, payload, deliver);
                      }});
}

void actor_io::dispatch(node_id to, const caf::actor& target, kind k, const shared_bytes& payload,
                        std::shared_ptr<std::function<void(result<shard_reply>)>> deliver) {
  // The timeout is this actor's own timer, not CAF's: a request timeout of CAF's fires through
  // the clock thread even after the answer came (see timer_queue.hpp). Whichever of answer,
  // error and timeout comes first settles the request and lets go of its continuation, so the
  // timer, which lives on for the whole timeout, holds only this small record.
  struct pending {
    std::shared_ptr<std::function<void(result<shard_reply>)>> deliver;
    void settle(result<shard_reply> r) {
      if (auto d = std::move(deliver)) (*d)(std::move(r));
    }
  };
  auto p = std::make_shared<pending>(pending{std::move(deliver)});
  after(static_cast<std::uint64_t>(options_.rpc_timeout.count()), [this, to, p] {
    if (!p->deliver) return;
    suspect(to);
    p->settle(error(errc::timeout, "no answer within the request timeout"));
  });
  auto on_error = [this, to, p](caf::error& e) {
    if (!p->deliver) return;
    suspect(to);
    bool stopped = e == caf::sec::request_receiver_down;
    p->settle(error(errc::timeout, stopped ? std::string("the replica has stopped")
                                           : "no answer: " + caf::to_string(e)));
  };
  auto on_reply = [p](shard_reply& r) { p->settle(std::move(r)); };
  auto forever = caf::infinite;
  if (k == kind::stale) {
    self_->request(target, forever, stale_atom::value, *payload).then(on_reply, on_error);
  } else if (k == kind::propose) {
    self_->request(target, forever, propose_atom::value, *payload).then(on_reply, on_error);
  } else if (k == kind::read) {
    self_->request(target, forever, read_atom::value, *payload).then(on_reply, on_error);
  } else {
    std::uint32_t count = static_cast<std::uint32_t>(std::stoul(*payload));
    self_->request(target, forever, tso_atom::value, count).then(on_reply, on_error);
  }
}

node_id actor_io::pick(const std::vector<node_id>& nodes, node_id hint, int attempt) {
  if (hint != 0 && !suspected(hint)) return hint;
  bool any_trusted = std::any_of(nodes.begin(), nodes.end(), [this](node_id n) { return !suspected(n); });
  if (hint != 0 && !any_trusted) return hint;  // suspected, but so is everyone else
  if (nodes.empty()) return 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    node_id n = nodes[(static_cast<std::size_t>(attempt) + i) % nodes.size()];
    if (!any_trusted || !suspected(n)) return n;
  }
  return nodes[0];
}

void actor_io::learn_hint(shard_id shard, node_id hint) {
  leader_hint_[shard] = hint;
  if (shard == meta_shard) return;
  auto nodes = candidates(shard);
  if (std::find(nodes.begin(), nodes.end(), hint) == nodes.end()) refresh([](result<txn::unit>) {});
}

void actor_io::send(shard_id shard, kind k, shared_bytes payload, std::uint64_t deadline_ms,
                    int attempt, txn::callback<std::string> done, resend_counter resends) {
  send_attempt(std::make_shared<request>(request{shard, k, std::move(payload), deadline_ms,
                                                 std::move(done), std::move(resends)}),
               attempt);
}

// Giving up is `unavailable` even when an attempt's answer was lost: whether a command may have
// been applied is for the caller to weigh (the coordinator treats any failed commit-point
// command as possibly applied, PROTOCOL.md).
void actor_io::retry(std::shared_ptr<request> req, int attempt, const error& why, bool at_once) {
  if (now_ms() >= req->deadline_ms) {
    return req->done(error(errc::unavailable,
                           "shard " + std::to_string(req->shard) + " did not answer within " +
                               std::to_string(options_.request_deadline_ms) + " ms after " +
                               std::to_string(attempt + 1) + " attempts (last: " +
                               why.message() + ")"));
  }
  if (req->resends) ++*req->resends;
  if (at_once) return send_attempt(std::move(req), attempt + 1);
  after(backoff(attempt), [this, req, attempt] { send_attempt(req, attempt + 1); });
}

void actor_io::send_attempt(std::shared_ptr<request> req, int attempt) {
  shard_id shard = req->shard;
  const std::vector<node_id>& nodes = candidates(shard);
  if (nodes.empty()) {
    return req->done(error(errc::unavailable, "shard " + std::to_string(shard) + " is not in the directory"));
  }
  node_id target = pick(nodes, leader_hint(shard), attempt);
  call(target, net_->endpoint(target, shard), req->k, req->payload,
       [this, req, attempt, target](result<shard_reply> reply) {
         shard_id shard = req->shard;
         if (!reply) {
           if (leader_hint(shard) == target) leader_hint_.erase(shard);
           return retry(req, attempt, reply.err(), false);
         }
         auto code = static_cast<errc>(reply->code);
         if (reply->code == 0) {
           leader_hint_[shard] = target;
           if (shard == meta_shard) tso_hint_ = target;
           return req->done(std::move(reply->payload));
         }
         if (code == errc::not_leader) {
           // A hint at a node that just timed out (a follower that has not yet noticed its
           // leader is cut off) is followed after a back-off, not at once.
           bool hinted = reply->leader_hint != 0 && reply->leader_hint != target &&
                         !suspected(reply->leader_hint);
           if (hinted) {
             learn_hint(shard, reply->leader_hint);
           } else {
             leader_hint_.erase(shard);
           }
           return retry(req, attempt, error(code, reply->message), hinted);
         }
         if (code == errc::unavailable || code == errc::proposal_dropped ||
             code == errc::outcome_unknown || code == errc::limit_exceeded ||
             code == errc::timeout) {
           // Never applied (or idempotent: every shard command is): safe to send again.
           return retry(req, attempt, error(code, reply->message), false);
         }
         // The replica's own refusal (not ready, a memory lock, a moved range...): an answer.
         req->done(encode_error(txn::txn_error(error(code, reply->message))));
       });
}

void actor_io::command(shard_id shard, std::string bytes, txn::callback<std::string> done,
                       resend_counter resends) {
  send(shard, kind::propose, std::make_shared<const std::string>(std::move(bytes)),
       now_ms() + options_.request_deadline_ms, 0, std::move(done), std::move(resends));
}

void actor_io::query(shard_id shard, std::string bytes, txn::callback<std::string> done,
                     resend_counter resends) {
  send(shard, kind::read, std::make_shared<const std::string>(std::move(bytes)),
       now_ms() + options_.request_deadline_ms, 0, std::move(done), std::move(resends));
}

node_id actor_io::nearest(const std::vector<node_id>& nodes) const {
  node_id best = 0;
  std::int64_t best_delay = 0;
  net_->with_model([&](network_model& m) {
    for (node_id n : nodes) {
      std::int64_t d = m.base_delay_us(home_, n);
      if (best == 0 || d < best_delay || (d == best_delay && n == home_)) {
        best = n;
        best_delay = d;
      }
    }
  });
  return best;
}

void actor_io::query_stale(shard_id shard, std::string bytes, txn::callback<std::string> done) {
  node_id target = nearest(candidates(shard));
  if (target == 0) {
    return done(error(errc::unavailable, "shard " + std::to_string(shard) + " is not in the directory"));
  }
  caf::actor endpoint = net_->endpoint(target, shard);
  if (!endpoint || suspected(target)) {
    // A nearest replica that is down, or timed out a moment ago, would cost a request timeout
    // per read: the caller asks the leader at once instead.
    return done(error(errc::unavailable, "the nearest replica of shard " + std::to_string(shard) +
                                             " is not answering"));
  }
  call(target, std::move(endpoint), kind::stale,
       std::make_shared<const std::string>(std::move(bytes)),
       [done](result<shard_reply> reply) {
         if (!reply) return done(reply.err());
         if (reply->code != 0) return done(error(static_cast<errc>(reply->code), reply->message));
         done(std::move(reply->payload));
       });
}

void actor_io::split(shard_id shard, std::string key, txn::callback<txn::unit> done) {
  caf::actor service = net_->endpoint(home_, service_endpoint);
  if (!service) return done(error(errc::unavailable, "this node's service is not running"));
  self_->request(service, std::chrono::seconds(30), split_atom::value, shard, std::move(key))
      .then(
          [this, done](shard_reply& r) {
            if (r.code != 0) return done(error(static_cast<errc>(r.code), r.message));
            refresh(done);
          },
          [done](caf::error& e) { done(error(errc::timeout, "split: " + caf::to_string(e))); });
}

void actor_io::rebalance() {
  for (const auto& n : net_->topo().nodes) {
    if (caf::actor service = net_->endpoint(n.id, service_endpoint)) {
      self_->send(service, balance_atom::value, true);
    }
  }
}

void actor_io::refresh(txn::callback<txn::unit> done) {
  refresh_waiting_.push_back(std::move(done));
  if (refreshing_) return;
  refreshing_ = true;
  send(meta_shard, kind::read, std::make_shared<const std::string>(meta_machine::directory_query()),
       now_ms() + options_.request_deadline_ms, 0, [this](result<std::string> bytes) {
         refreshing_ = false;
         auto waiting = std::move(refresh_waiting_);
         refresh_waiting_.clear();
         if (!bytes) {
           for (auto& w : waiting) w(bytes.err());
           return;
         }
         auto records = decode_directory(*bytes);
         if (!records) {
           for (auto& w : waiting) w(records.err());
           return;
         }
         directory_.clear();
         for (const auto& r : *records) directory_.update(r);
         for (auto& w : waiting) w(txn::unit{});
       });
}

void actor_io::timestamp(txn::callback<std::uint64_t> done, resend_counter resends) {
  tso_waiting_.push_back(std::move(done));
  tso_resends_.push_back(std::move(resends));
  if (!tso_in_flight_) request_timestamps();
}

// One round trip serves every request waiting when it leaves (PROTOCOL.md: a range is never
// cached for transactions that begin later).
void actor_io::request_timestamps() {
  if (tso_waiting_.empty()) return;
  tso_in_flight_ = true;
  auto count = static_cast<std::uint32_t>(std::min<std::size_t>(tso_waiting_.size(), 4096));
  tso_attempt(count, now_ms() + options_.request_deadline_ms, 0);
}

void actor_io::tso_attempt(std::uint32_t count, std::uint64_t deadline_ms, int attempt) {
  node_id target = pick(meta_nodes_, tso_hint_, attempt);
  auto finish = [this, count](result<std::uint64_t> first) {
    tso_in_flight_ = false;
    std::vector<txn::callback<std::uint64_t>> served(tso_waiting_.begin(),
                                                     tso_waiting_.begin() + count);
    tso_waiting_.erase(tso_waiting_.begin(), tso_waiting_.begin() + count);
    tso_resends_.erase(tso_resends_.begin(), tso_resends_.begin() + count);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (first) {
        served[i](*first + i);
      } else {
        served[i](first.err());
      }
    }
    request_timestamps();
  };
  call(target, net_->endpoint(target, tso_endpoint), kind::tso,
       std::make_shared<const std::string>(std::to_string(count)),
       [this, count, deadline_ms, attempt, target, finish](result<shard_reply> reply) {
         if (reply && reply->code == 0 && reply->payload.size() == 8) {
           tso_hint_ = target;
           return finish(storage::codec::decode_u64_be(reply->payload));
         }
         // The leader itself, not serving yet (a new term's clock catching up with the mark):
         // asked again after a back-off.
         bool not_ready = reply && reply->code == static_cast<std::uint16_t>(errc::not_ready);
         if (reply && reply->leader_hint != 0 && reply->leader_hint != target) {
           tso_hint_ = reply->leader_hint;
         } else if (not_ready) {
           tso_hint_ = target;
         } else if (tso_hint_ == target) {
           tso_hint_ = 0;
         }
         if (now_ms() >= deadline_ms) {
           return finish(error(errc::unavailable,
                               "the timestamp oracle did not answer within " +
                                   std::to_string(options_.request_deadline_ms) + " ms"));
         }
         bool hinted = reply && reply->leader_hint != 0 && reply->leader_hint != target &&
                       !suspected(reply->leader_hint);
         for (std::uint32_t i = 0; i < count; ++i) {
           if (tso_resends_[i]) ++*tso_resends_[i];  // each waiting request is asked again
         }
         auto again = [this, count, deadline_ms, attempt] { tso_attempt(count, deadline_ms, attempt + 1); };
         if (hinted) return again();
         after(backoff(attempt), again);
       });
}

}  // namespace meridian::actors
