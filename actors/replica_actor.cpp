// The replica actor; see replica_actor.hpp.
#include "actors/replica_actor.hpp"

#include <caf/all.hpp>

#include <cstdio>

#include "actors/messages.hpp"
#include "storage/key_codec.hpp"

namespace meridian::actors {
namespace {

// A new group's preferred member campaigns this many times, a heartbeat interval apart, while its
// peers start (replica::campaign_now).
constexpr int campaign_attempts = 8;

struct replica_state {
  replica_spawn args;
  std::map<std::uint64_t, caf::response_promise> waiting;
  std::uint64_t next_request = 1;
  bool flush_scheduled = false;
  bool writing = false;  // a persister runs this replica's write (writing_behavior)
  static inline const char* name = "meridian.replica";
};

using replica_self = caf::stateful_actor<replica_state>;

void schedule_flush(replica_self* self) {
  auto& st = self->state;
  if (st.flush_scheduled || !st.args.core->has_ready()) return;
  st.flush_scheduled = true;
  // Queued behind every message already in the mailbox: they are all stepped before the flush,
  // so one fsync covers them (group commit).
  self->send(self, flush_atom::value);
}

void send_all(replica_self* self, std::vector<raft::message>& messages) {
  auto& st = self->state;
  replica& core = *st.args.core;
  for (auto& m : messages) {
    raft::node_id to = m.to;
    bool is_snapshot = m.type == raft::message_type::snapshot;
    std::size_t copies =
        st.args.net->send(core.id(), to, core.shard(), raft_envelope{core.shard(), std::move(m)});
    if (copies == 0 && !st.args.net->endpoint(to, core.shard())) core.report_unreachable(to);
    if (is_snapshot) core.report_snapshot(to, copies == 0);
  }
}

void answer(replica_self* self, std::vector<request_done>& done) {
  auto& st = self->state;
  node_id leader = st.args.core->info().leader;
  for (auto& d : done) {
    auto it = st.waiting.find(d.id);
    if (it == st.waiting.end()) continue;
    it->second.deliver(to_reply(d.outcome, leader));
    st.waiting.erase(it);
  }
}

void leadership_changed(replica_self* self);

void stop_on_storage_failure(replica_self* self, const error& e) {
  // Storage failed: a replica that cannot persist must stop (etcd panics here). Whoever waits
  // on it hears so now rather than at its timeout.
  replica& core = *self->state.args.core;
  std::fprintf(stderr, "meridian: replica %llu of shard %llu stops: %s\n",
               static_cast<unsigned long long>(core.id()),
               static_cast<unsigned long long>(core.shard()), e.to_string().c_str());
  if (self->state.args.on_storage_failure) self->state.args.on_storage_failure(e);
  auto done = core.abandon(e);
  answer(self, done);
  for (auto& [id, promise] : self->state.waiting) {
    promise.deliver(to_reply(error(errc::unavailable, "the replica stopped: " + e.to_string()),
                             core.info().leader));
  }
  self->state.waiting.clear();
  self->quit(caf::sec::runtime_error);
}

// The second half of a ready, once its write ran: send, answer, report. False if the replica
// stopped.
bool complete(replica_self* self, result<std::uint64_t> synced) {
  auto& st = self->state;
  replica& core = *st.args.core;
  auto out = core.complete_ready(std::move(synced));
  if (!out) {
    stop_on_storage_failure(self, out.err());
    return false;
  }
  send_all(self, out->messages);
  answer(self, out->done);
  for (auto& spawn : out->spawns) {
    if (st.args.spawner) st.args.spawner(std::move(spawn));
  }
  if (out->soft_state_changed) leadership_changed(self);
  if (st.args.observer) st.args.observer->observe(core.id(), core.shard(), core.info(), out->applied);
  return true;
}

void flush(replica_self* self);

// A read the replica answers at once, or parks until the lock it met goes (replica::read_or_park;
// answered later through `waiting`). Nothing when it must take the read-index path.
std::optional<caf::result<shard_reply>> read_at_once(replica_self* self, const std::string& query) {
  auto& st = self->state;
  replica& core = *st.args.core;
  std::optional<result<std::string>> answer;
  std::uint64_t id = st.next_request;
  switch (core.read_or_park(id, query, answer)) {
    case replica::read_outcome::answered:
      return caf::result<shard_reply>(to_reply(*answer, core.info().leader));
    case replica::read_outcome::parked: {
      ++st.next_request;
      auto promise = self->make_response_promise<shard_reply>();
      st.waiting.emplace(id, promise);
      return caf::result<shard_reply>(promise);
    }
    case replica::read_outcome::not_now:
      break;
  }
  return std::nullopt;
}

// While a write runs on a persister the replica answers only what changes none of its state:
// reads it can serve at once (replica::read_now sees the write laid over the engine) and lease
// questions. Every other message stays in the mailbox (skipped) until the write lands,
// exactly as if the replica had written on its own thread.
caf::behavior writing_behavior(replica_self* self) {
  return {
      [=](read_atom, std::string& query) -> caf::result<shard_reply> {
        std::optional<caf::result<shard_reply>> now = read_at_once(self, query);
        if (now) return std::move(*now);
        return caf::skip;
      },
      [=](lease_atom) -> bool { return self->state.args.core->lease_valid(); },
  };
}

void end_write(replica_self* self) {
  self->state.writing = false;
  self->unbecome();
  self->set_default_handler(caf::drop);
}

void start_write(replica_self* self, replica::pending_write* write) {
  auto& st = self->state;
  st.writing = true;
  self->set_default_handler(caf::skip);
  self->become(caf::keep_behavior, writing_behavior(self));
  // The job holds the replica: a killed actor's state may go while its write still runs.
  auto outcome = std::make_shared<std::optional<result<std::uint64_t>>>();
  self->request(st.args.persister, caf::infinite, persist_atom::value,
                job{[core = st.args.core, write, outcome] { *outcome = write->run(); }})
      .then(
          [self, outcome](bool ran) {
            end_write(self);
            if (!ran) return self->quit();  // the node lost power under the write
            if (complete(self, std::move(**outcome))) flush(self);
          },
          [self](caf::error& e) {
            end_write(self);
            stop_on_storage_failure(
                self, error(errc::storage_io, "the persister stopped: " + caf::to_string(e)));
          });
}

void flush(replica_self* self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.writing) return;  // the write's completion flushes again
  replica& core = *st.args.core;
  while (core.has_ready()) {
    auto early = core.begin_ready();
    send_all(self, early);
    auto staged = core.stage_ready();
    if (!staged) return stop_on_storage_failure(self, staged.err());
    answer(self, staged->answers);  // see replica::staged_ready
    if (st.args.persister && staged->write != nullptr) return start_write(self, staged->write);
    if (!complete(self, staged->write ? staged->write->run() : std::uint64_t{0})) return;
  }
}

// Runs `fn` now, or once the write in flight has landed (a response handler runs whatever the
// current behavior is, so it must not touch the replica meanwhile).
void when_idle(replica_self* self, std::function<void()> fn) {
  if (!self->state.writing) return fn();
  self->send(self, job{std::move(fn)});
}

// The timestamp in the oracle's answer (its first, eight bytes big-endian), if it gave one.
std::optional<std::uint64_t> timestamp_of(const shard_reply& reply) {
  auto ts = from_reply(reply);
  if (!ts || ts->size() != 8) return std::nullopt;
  return storage::codec::decode_u64_be(*ts);
}

// A new leader whose state machine needs a fresh timestamp (max_ts) asks for one, and keeps
// asking while it leads the same term.
void fetch_leader_timestamp(replica_self* self, std::uint64_t term) {
  auto& st = self->state;
  auto info = st.args.core->info();
  if (!st.args.timestamps || info.role != raft::role::leader || info.term != term) return;
  self->request(st.args.timestamps, std::chrono::seconds(5), tso_atom::value, std::uint32_t{1})
      .then(
          [self, term](shard_reply& reply) {
            if (auto v = timestamp_of(reply)) {
              return when_idle(self, [self, term, v = *v] {
                self->state.args.core->leader_timestamp(term, v);
              });
            }
            self->delayed_send(self, std::chrono::milliseconds(100), job{[self, term] {
                                 fetch_leader_timestamp(self, term);
                               }});
          },
          [self, term](caf::error&) {
            self->delayed_send(self, std::chrono::milliseconds(100), job{[self, term] {
                                 fetch_leader_timestamp(self, term);
                               }});
          });
}

// The periodic leader work: a fresh timestamp, then the state machine's periodic command.
void periodic(replica_self* self) {
  auto& st = self->state;
  self->delayed_send(self, st.args.periodic_interval, periodic_atom::value);
  auto info = st.args.core->info();
  if (!st.args.timestamps || info.role != raft::role::leader) return;
  // A shard grown past its limit asks the node service to split it (which allocates the new
  // shard's id and updates the directory around the split command).
  if (auto key = st.args.core->machine().wants_split()) {
    self->send(st.args.timestamps, split_atom::value, st.args.core->shard(), *key);
  }
  // The leader keeps the directory's record of its shard current (a split changes it).
  if (auto range = st.args.core->machine().own_range()) {
    self->send(st.args.timestamps, publish_atom::value, range->shard, range->start, range->end,
               range->epoch, info.conf.voters);
  }
  std::uint64_t term = info.term;
  self->request(st.args.timestamps, std::chrono::seconds(5), tso_atom::value, std::uint32_t{1})
      .then(
          [self, term](shard_reply& reply) {
            auto v = timestamp_of(reply);
            if (!v) return;
            when_idle(self, [self, term, v = *v] {
              if (self->state.args.core->info().term != term) return;
              self->state.args.core->propose_periodic(v);
              schedule_flush(self);
            });
          },
          [](caf::error&) {});
}

void leadership_changed(replica_self* self) {
  auto& st = self->state;
  auto info = st.args.core->info();
  bool leader = info.role == raft::role::leader;
  if (st.args.listener) {
    self->send(st.args.listener, leader_atom::value, st.args.core->shard(), info.term, leader);
  }
  if (leader && st.args.core->machine().wants_leader_timestamp()) {
    fetch_leader_timestamp(self, info.term);
  }
}

template <class Call>
caf::result<shard_reply> start_request(replica_self* self, Call call) {
  auto& st = self->state;
  std::uint64_t id = st.next_request++;
  auto promise = self->make_response_promise<shard_reply>();
  st.waiting.emplace(id, promise);
  call(id);
  schedule_flush(self);
  return promise;
}

caf::behavior replica_behavior(replica_self* self, replica_spawn args) {
  self->state.args = std::move(args);
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->delayed_send(self, self->state.args.tick_interval, tick_atom::value);
  if (self->state.args.periodic_interval.count() > 0) {
    self->delayed_send(self, self->state.args.periodic_interval, periodic_atom::value);
  }
  if (self->state.args.campaign_at_start) {
    self->state.args.core->campaign_now(campaign_attempts);
    schedule_flush(self);
  }
  return {
      [=](raft_envelope& env) {
        self->state.args.core->step(std::move(env.msg));
        schedule_flush(self);
      },
      [=](tick_atom) {
        self->state.args.core->tick();
        schedule_flush(self);
        self->delayed_send(self, self->state.args.tick_interval, tick_atom::value);
      },
      [=](flush_atom) { flush(self); },
      [=](periodic_atom) { periodic(self); },
      [=](stale_atom, std::string& query) -> shard_reply {
        return to_reply(self->state.args.core->read_stale(query),
                        self->state.args.core->info().leader);
      },
      [=](propose_atom, std::string& command) -> caf::result<shard_reply> {
        return start_request(self, [&](std::uint64_t id) {
          self->state.args.core->propose(id, std::move(command));
        });
      },
      [=](read_atom, std::string& query) -> caf::result<shard_reply> {
        std::optional<caf::result<shard_reply>> now = read_at_once(self, query);
        if (now) return std::move(*now);
        return start_request(self, [&](std::uint64_t id) {
          self->state.args.core->read(id, std::move(query));
        });
      },
      [=](transfer_atom, node_id to) -> shard_reply {
        auto s = self->state.args.core->transfer_leader(to);
        schedule_flush(self);
        if (!s) return to_reply(s.err(), self->state.args.core->info().leader);
        return shard_reply{};
      },
      [=](lease_atom) -> bool { return self->state.args.core->lease_valid(); },
      [=](job& j) { j.run(); },
      [=](status_atom) -> replica_status {
        const replica& core = *self->state.args.core;
        auto info = core.info();
        return replica_status{core.id(), core.shard(), info.term, info.leader,
                              static_cast<std::uint8_t>(info.role), info.commit,
                              core.applied_index(), info.last_index};
      },
  };
}

}  // namespace

caf::actor spawn_persister(caf::actor_system& system, bool detached,
                           std::shared_ptr<std::atomic<bool>> powered) {
  auto behavior = [powered]() -> caf::behavior {
    return {
        [powered](persist_atom, job& j) -> bool {
          if (!powered->load()) return false;
          j.run();
          return true;
        },
    };
  };
  return detached ? system.spawn<caf::detached>(behavior) : system.spawn(behavior);
}

caf::actor spawn_replica(caf::actor_system& system, replica_spawn args) {
  node_id node = args.core->id();
  shard_id shard = args.core->shard();
  auto net = args.net;
  caf::actor handle = system.spawn(replica_behavior, std::move(args));
  net->register_endpoint(node, shard, handle);
  return handle;
}

}  // namespace meridian::actors
