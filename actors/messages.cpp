// Message registration and reply conversion; see messages.hpp.
#include "actors/messages.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include <algorithm>
#include <thread>

namespace meridian::actors {

shard_reply to_reply(const result<std::string>& r, node_id leader_hint) {
  shard_reply out;
  out.leader_hint = leader_hint;
  if (r.ok()) {
    out.payload = *r;
  } else {
    out.code = r.err().number();
    out.message = r.err().message();
  }
  return out;
}

result<std::string> from_reply(const shard_reply& r) {
  if (r.code == 0) return r.payload;
  return error(static_cast<errc>(r.code), r.message);
}

void configure_threaded_system(caf::actor_system_config& cfg) {
  cfg.set("logger.verbosity", caf::atom("quiet"));
  // More workers than cores only add context switches now that no worker waits for the disk
  // (bench txn on 2 cores: ~330 us of CPU per cross-shard transfer with 8 workers, ~270 with 2).
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", std::max<std::size_t>(2, cores));
  // An idle worker spins briefly, then sleeps on its condition variable until work arrives.
  // CAF's default puts 500 polls 50 us apart in between; the replicas' ticks (~575 timer events
  // a second with WAN latency on) kept both workers in that phase for good: an idle embedded
  // cluster used 32% of a core and 15,000 context switches a second, and 1-2% without it.
  // bench txn's transfers and raw Raft writes are unchanged (within noise) without the phase.
  cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  register_messages(cfg);
}

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<storage::log_entry>("meridian.log_entry");
  cfg.add_message_type<raft::conf_state>("meridian.conf_state");
  cfg.add_message_type<raft::snapshot_metadata>("meridian.snapshot_metadata");
  cfg.add_message_type<raft::snapshot>("meridian.snapshot");
  cfg.add_message_type<raft::message>("meridian.raft_message");
  cfg.add_message_type<raft_envelope>("meridian.raft_envelope");
  cfg.add_message_type<shard_reply>("meridian.shard_reply");
  cfg.add_message_type<replica_status>("meridian.replica_status");
}

}  // namespace meridian::actors
