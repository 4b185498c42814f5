// Every message that crosses an actor boundary, with its CAF `inspect` and its wire name, in one
// header (CAF's own examples): Raft traffic between replicas, client requests to replicas and
// their replies, and the atoms that drive timers. register_messages() registers them all, so the
// same code runs in one process and across processes (a type unknown to a peer arrives empty).
// inspect() overloads live in the namespace of the type they describe (ADL finds them there).
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "common/topology.hpp"
#include "raft/types.hpp"
#include "storage/log_store.hpp"

namespace meridian::storage {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_entry& x) {
  return f(caf::meta::type_name("meridian.log_entry"), x.term, x.index, x.type, x.data);
}
}  // namespace meridian::storage

namespace meridian::raft {
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, conf_state& x) {
  return f(caf::meta::type_name("meridian.conf_state"), x.voters, x.learners);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_metadata& x) {
  return f(caf::meta::type_name("meridian.snapshot_metadata"), x.index, x.term, x.conf);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot& x) {
  return f(caf::meta::type_name("meridian.snapshot"), x.metadata, x.data);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, message& x) {
  return f(caf::meta::type_name("meridian.raft_message"), x.type, x.from, x.to, x.term, x.log_term,
           x.index, x.entries, x.commit, x.reject, x.reject_hint, x.snap, x.context, x.read_round,
           x.lease_tick, x.transfer);
}
}  // namespace meridian::raft

namespace meridian::actors {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using propose_atom = caf::atom_constant<caf::atom("propose")>;
using read_atom = caf::atom_constant<caf::atom("read")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using transfer_atom = caf::atom_constant<caf::atom("transfer")>;
using conf_atom = caf::atom_constant<caf::atom("conf")>;
using leader_atom = caf::atom_constant<caf::atom("leader")>;
using lease_atom = caf::atom_constant<caf::atom("lease")>;
using tso_atom = caf::atom_constant<caf::atom("tso")>;
using max_ts_atom = caf::atom_constant<caf::atom("max_ts")>;
using stale_atom = caf::atom_constant<caf::atom("stale")>;
using periodic_atom = caf::atom_constant<caf::atom("periodic")>;
using split_atom = caf::atom_constant<caf::atom("split")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using balance_atom = caf::atom_constant<caf::atom("balance")>;
using persist_atom = caf::atom_constant<caf::atom("persist")>;

// A closure for an actor to run on its own thread: delayed callbacks, work handed in from
// non-actor threads. Local only: it never crosses a process boundary.
struct job {
  std::function<void()> run;
};

// Raft traffic between the replicas of one shard, addressed through the transport.
struct raft_envelope {
  shard_id shard = 0;
  raft::message msg;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raft_envelope& x) {
  return f(caf::meta::type_name("meridian.raft_envelope"), x.shard, x.msg);
}

// The answer to a request to a replica: code 0 and a payload, or an error (code, message) with
// the leader the replica knows of, so the router can go there next.
struct shard_reply {
  std::uint16_t code = 0;
  std::string message;
  std::string payload;
  node_id leader_hint = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_reply& x) {
  return f(caf::meta::type_name("meridian.shard_reply"), x.code, x.message, x.payload,
           x.leader_hint);
}
shard_reply to_reply(const result<std::string>& r, node_id leader_hint);
result<std::string> from_reply(const shard_reply& r);

// What a replica reports about itself (status pages, the balancer, the simulator).
struct replica_status {
  node_id node = 0;
  shard_id shard = 0;
  std::uint64_t term = 0;
  node_id leader = 0;
  std::uint8_t role = 0;  // raft::role
  std::uint64_t commit = 0;
  std::uint64_t applied = 0;
  std::uint64_t last_index = 0;
};
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replica_status& x) {
  return f(caf::meta::type_name("meridian.replica_status"), x.node, x.shard, x.term, x.leader,
           x.role, x.commit, x.applied, x.last_index);
}

void register_messages(caf::actor_system_config& cfg);

// Everything a threaded actor system running Meridian needs: the messages above, a quiet logger,
// and one worker thread per core (at least two). Replicas sync their logs on persister threads
// (replica_actor.hpp), so workers do not block on the disk. (The simulator configures its own
// system.)
void configure_threaded_system(caf::actor_system_config& cfg);

}  // namespace meridian::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(meridian::actors::job)
