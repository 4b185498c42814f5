// The timestamp oracle's actor; see tso_actor.hpp.
#include "actors/tso_actor.hpp"

#include <caf/all.hpp>

#include <deque>

#include "actors/messages.hpp"
#include "actors/meta_machine.hpp"
#include "storage/key_codec.hpp"

namespace meridian::actors {
namespace {

struct waiting_request {
  std::uint32_t count = 0;
  caf::typed_response_promise<shard_reply> promise;
};

struct tso_state {
  tso_spawn args;
  std::unique_ptr<txn::tso_core> core;
  bool leader = false;
  bool ready = false;  // the persisted mark is loaded
  bool busy = false;   // a lease check is in flight
  // A new term's clock is behind its mark until then: requests are answered not_ready.
  std::uint64_t serving_at_ms = 0;
  std::uint64_t term = 0;
  std::deque<waiting_request> queue;
  static inline const char* name = "meridian.tso";
};

using tso_self = caf::stateful_actor<tso_state>;

shard_reply failure(errc code, const std::string& message) {
  return to_reply(error(code, message), 0);
}

void fail_all(tso_self* self, errc code, const std::string& why) {
  for (auto& w : self->state.queue) w.promise.deliver(failure(code, why));
  self->state.queue.clear();
}

void process(tso_self* self);

std::string catching_up(tso_self* self) {
  auto& st = self->state;
  std::uint64_t now = st.args.clock_ms();
  std::uint64_t left = st.serving_at_ms > now ? st.serving_at_ms - now : 0;
  return "the timestamp oracle's new leader serves in " + std::to_string(left) +
         " ms, once its clock passes the last persisted mark";
}

// Persists a high-water mark in the background: requests keep being served below the current
// mark meanwhile (the core answers `waiting` only once they would reach it), so an early
// extension costs no request a meta-shard round trip.
void persist(tso_self* self, std::uint64_t hw) {
  auto& st = self->state;
  std::uint64_t term = st.term;
  self->request(*st.args.meta_replica, std::chrono::seconds(5), propose_atom::value,
                meta_machine::raise_hw_command(hw))
      .then(
          [self, hw, term](shard_reply& r) {
            auto& s = self->state;
            if (!s.leader || s.term != term) return;
            if (r.code == 0) {
              s.core->on_persisted(hw);
            } else {
              s.core->on_persist_failed(hw);
            }
            process(self);
          },
          [self, hw, term](caf::error&) {
            auto& s = self->state;
            if (!s.leader || s.term != term) return;
            s.core->on_persist_failed(hw);
            self->delayed_send(self, std::chrono::milliseconds(50), job{[self] { process(self); }});
          });
}

void grant(tso_self* self, bool lease_valid) {
  auto& st = self->state;
  std::uint32_t total = 0;
  std::size_t served = 0;
  while (served < st.queue.size() && total + st.queue[served].count <= st.args.config.max_batch) {
    total += st.queue[served++].count;
  }
  auto g = st.core->issue(total, st.args.clock_ms(), lease_valid);
  if (!g) {
    st.busy = false;
    fail_all(self, errc::unavailable,
             "the timestamp oracle's leader lease is not valid: " + g.err().message());
    return;
  }
  if (g->outcome == txn::tso_grant::state::issued) {
    std::uint64_t next = g->first_ts;
    for (std::size_t i = 0; i < served; ++i) {
      std::string payload;
      storage::codec::append_u64_be(payload, next);
      next += st.queue.front().count;
      st.queue.front().promise.deliver(shard_reply{0, {}, payload, st.args.node});
      st.queue.pop_front();
    }
  }
  st.busy = false;
  if (g->persist_hw) persist(self, *g->persist_hw);
  if (g->outcome == txn::tso_grant::state::issued) process(self);
  if (g->outcome == txn::tso_grant::state::clock_behind) {
    // A new term waits for its clock to pass the mark it started at (tso_core::become_leader),
    // up to a window: longer than a client waits for an answer, so each is told when to ask
    // again rather than held.
    st.serving_at_ms = st.args.clock_ms() + g->retry_ms;
    fail_all(self, errc::not_ready, catching_up(self));
  }
}

void process(tso_self* self) {
  auto& st = self->state;
  if (st.busy || !st.leader || !st.ready || st.queue.empty()) return;
  st.busy = true;
  // The replica is local and answers at once (an exited one with an error): no timeout, which
  // would cost a trip through the actor clock's thread per batch of timestamps.
  self->request(*st.args.meta_replica, caf::infinite, lease_atom::value)
      .then([self](bool valid) { grant(self, valid); },
            [self](caf::error&) {
              self->state.busy = false;
              fail_all(self, errc::unavailable, "the meta shard's replica did not answer");
            });
}

void load_mark(tso_self* self, std::uint64_t term) {
  auto& st = self->state;
  if (!st.leader || st.term != term) return;
  self->request(*st.args.meta_replica, std::chrono::seconds(5), read_atom::value,
                meta_machine::hw_query())
      .then(
          [self, term](shard_reply& r) {
            auto& s = self->state;
            if (!s.leader || s.term != term) return;
            if (r.code != 0 || r.payload.size() != 8) {
              return self->delayed_send(self, std::chrono::milliseconds(50),
                                        job{[self, term] { load_mark(self, term); }});
            }
            s.core->become_leader(storage::codec::decode_u64_be(r.payload));
            s.ready = true;
            process(self);
          },
          [self, term](caf::error&) {
            self->delayed_send(self, std::chrono::milliseconds(50),
                               job{[self, term] { load_mark(self, term); }});
          });
}

caf::behavior tso_behavior(tso_self* self, tso_spawn args) {
  self->state.args = std::move(args);
  self->state.core = std::make_unique<txn::tso_core>(self->state.args.config);
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  return {
      [=](leader_atom, shard_id, std::uint64_t term, bool leader) {
        auto& st = self->state;
        if (leader) {
          st.leader = true;
          st.ready = false;
          st.busy = false;
          st.serving_at_ms = 0;
          st.term = term;
          load_mark(self, term);
        } else if (st.leader) {
          st.leader = false;
          st.ready = false;
          st.core->step_down();
          fail_all(self, errc::not_leader, "the timestamp oracle moved to another node");
        }
      },
      [=](tso_atom, std::uint32_t count) -> caf::result<shard_reply> {
        auto& st = self->state;
        if (!st.leader) return failure(errc::not_leader, "this node does not run the timestamp oracle");
        if (count == 0 || count > st.args.config.max_batch) {
          return failure(errc::invalid_argument, "a timestamp request must ask for 1.." +
                                                     std::to_string(st.args.config.max_batch));
        }
        if (st.args.clock_ms() < st.serving_at_ms) return failure(errc::not_ready, catching_up(self));
        auto promise = self->make_response_promise<shard_reply>();
        st.queue.push_back(waiting_request{count, promise});
        process(self);
        return promise;
      },
      [=](job& j) { j.run(); },
  };
}

}  // namespace

caf::actor spawn_tso(caf::actor_system& system, tso_spawn args) {
  node_id node = args.node;
  auto net = args.net;
  caf::actor handle = system.spawn(tso_behavior, std::move(args));
  net->register_endpoint(node, tso_endpoint, handle);
  return handle;
}

}  // namespace meridian::actors
