// The garbage-collection driver; see gc_driver.hpp.
#include "actors/gc_driver.hpp"

#include <caf/all.hpp>

#include "actors/meta_machine.hpp"
#include "actors/shard_protocol.hpp"

namespace meridian::actors {
namespace {

using gc_atom = caf::atom_constant<caf::atom("gc")>;

struct gc_actor_state {
  std::unique_ptr<actor_io> io;
  std::unique_ptr<cluster_engine> engine;  // resolves the locks a round meets
  std::shared_ptr<txn::active_set> active;
  gc_options options;
  std::shared_ptr<gc_stats> stats;
  bool running = false;
  static inline const char* name = "meridian.gc";
};

using gc_self = caf::stateful_actor<gc_actor_state>;

// One round's plan: the safe point, and the shards as the directory listed them.
struct gc_round {
  std::uint64_t safe_point = 0;
  std::vector<shard_record> shards;
  std::size_t next = 0;
};
using round_ptr = std::shared_ptr<gc_round>;

void finish(gc_self* self) { self->state.running = false; }

// An encoded shard answer's payload, or the error it carries.
result<std::string> payload_of(const result<std::string>& bytes) {
  if (!bytes) return bytes.err();
  auto answer = decode_answer(*bytes);
  if (!answer) return answer.err().cause;
  return std::move(*answer);
}

void collect_shard(gc_self* self, round_ptr round, std::string resume);

// Phase 2: gc commands through each shard's log, chunk by chunk, shard after shard.
void collect_next(gc_self* self, round_ptr round) {
  if (round->next == round->shards.size()) {
    self->state.stats->safe_point = round->safe_point;
    ++self->state.stats->rounds;
    return finish(self);
  }
  collect_shard(self, round, round->shards[round->next].start);
}

void collect_shard(gc_self* self, round_ptr round, std::string resume) {
  const shard_record& shard = round->shards[round->next];
  gc_cmd c{shard.epoch, round->safe_point, std::move(resume), self->state.options.keys_per_command};
  self->state.io->command(shard.id, encode_command(c), [self, round](result<std::string> bytes) {
    auto a = payload_of(bytes);
    auto decoded = a ? decode_gc_answer(*a) : result<gc_answer>(a.err());
    // A shard that refused (a lock appeared, it moved, it is unreachable) is collected next round.
    if (decoded) self->state.stats->versions_removed += decoded->versions_removed;
    if (decoded && decoded->more) return collect_shard(self, round, decoded->resume_key);
    ++round->next;
    collect_next(self, round);
  });
}

void resolve_shard(gc_self* self, round_ptr round);

// Resolves `locks` one after another, then scans the shard again for more.
void resolve_locks(gc_self* self, round_ptr round, std::vector<storage::locked_key> locks,
                   std::size_t i) {
  if (i == locks.size()) return resolve_shard(self, round);
  self->state.engine->resolve_lock(locks[i], [self, round, locks, i](result<bool> gone) {
    // The owner is alive (or could not be asked): the safe point cannot pass it this round.
    if (!gone || !*gone) return finish(self);
    ++self->state.stats->locks_resolved;
    resolve_locks(self, round, locks, i + 1);
  });
}

// Phase 1: every lock at or below the safe point, on every shard, resolved before any shard
// collects; then the safe point is recorded in the meta shard and phase 2 begins.
void resolve_shard(gc_self* self, round_ptr round) {
  if (round->next == round->shards.size()) {
    round->next = 0;
    return self->state.io->command(
        meta_shard, meta_machine::raise_safe_point_command(round->safe_point),
        [self, round](result<std::string> r) {
          if (!r) return finish(self);
          collect_next(self, round);
        });
  }
  const shard_record& shard = round->shards[round->next];
  lock_scan_query q{shard.epoch, shard.start, shard.end, {round->safe_point, {}},
                    self->state.options.locks_per_scan};
  self->state.io->query(shard.id, encode_query(q), [self, round](result<std::string> bytes) {
    auto a = payload_of(bytes);
    auto locks = a ? decode_locks(*a) : result<std::vector<storage::locked_key>>(a.err());
    if (!locks) return finish(self);  // moved or unreachable: the next round sees it again
    if (locks->empty()) {
      ++round->next;
      return resolve_shard(self, round);
    }
    resolve_locks(self, round, std::move(*locks), 0);
  });
}

// The leader's part: the next safe point from the nodes' reports, then the two phases.
void plan(gc_self* self, std::uint64_t now_ts) {
  auto& io = *self->state.io;
  io.query(meta_shard, meta_machine::gc_state_query(), [self, now_ts](result<std::string> bytes) {
    auto st = bytes ? meta_machine::decode_gc_state(*bytes)
                    : result<meta_machine::gc_state>(bytes.err());
    if (!st) return finish(self);
    auto sp = txn::next_safe_point(now_ts, st->safe_point, st->reports,
                                   self->state.options.policy);
    if (!sp) return finish(self);
    self->state.io->refresh([self, sp](result<txn::unit> loaded) {
      if (!loaded) return finish(self);
      auto round = std::make_shared<gc_round>();
      round->safe_point = *sp;
      round->shards = self->state.io->shards().all();
      resolve_shard(self, round);
    });
  });
}

// Every node reports; only the node whose meta replica leads drives the round.
void start_round(gc_self* self) {
  auto& st = self->state;
  if (st.running) return;
  st.running = true;
  st.io->timestamp([self](result<std::uint64_t> now) {
    if (!now) return finish(self);
    auto& st = self->state;
    std::uint64_t oldest = st.active ? st.active->oldest().value_or(*now) : *now;
    st.io->command(meta_shard,
                   meta_machine::report_active_command({st.io->home(), oldest, *now}),
                   [](result<std::string>) {});
    caf::actor meta = st.io->network().endpoint(st.io->home(), meta_shard);
    if (!meta) return finish(self);
    std::uint64_t now_ts = *now;
    self->request(meta, std::chrono::seconds(1), status_atom::value)
        .then(
            [self, now_ts](replica_status& rs) {
              if (rs.role != static_cast<std::uint8_t>(raft::role::leader)) return finish(self);
              plan(self, now_ts);
            },
            [self](caf::error&) { finish(self); });
  });
}

caf::behavior gc_behavior(gc_self* self, std::shared_ptr<transport> net, node_id node,
                          std::vector<node_id> meta_nodes,
                          std::function<std::uint64_t()> clock_ms, actor_io_options io_options,
                          std::shared_ptr<txn::active_set> active, gc_options options,
                          std::shared_ptr<gc_stats> stats) {
  auto& st = self->state;
  st.io = std::make_unique<actor_io>(self, std::move(net), node, std::move(meta_nodes),
                                     std::move(clock_ms), io_options);
  st.engine = std::make_unique<cluster_engine>(*st.io);
  st.active = std::move(active);
  st.options = options;
  st.stats = stats ? std::move(stats) : std::make_shared<gc_stats>();
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->delayed_send(self, options.interval, gc_atom::value);
  return {
      [=](gc_atom) {
        self->delayed_send(self, self->state.options.interval, gc_atom::value);
        start_round(self);
      },
      [=](job& j) { j.run(); },
  };
}

}  // namespace

caf::actor spawn_gc_driver(caf::actor_system& system, std::shared_ptr<transport> net,
                           node_id node, std::vector<node_id> meta_nodes,
                           std::function<std::uint64_t()> clock_ms, actor_io_options io_options,
                           std::shared_ptr<txn::active_set> active, gc_options options,
                           std::shared_ptr<gc_stats> stats) {
  return system.spawn(gc_behavior, std::move(net), node, std::move(meta_nodes),
                      std::move(clock_ms), io_options, std::move(active), options,
                      std::move(stats));
}

}  // namespace meridian::actors
