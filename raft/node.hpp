// The public face of Raft (etcd's RawNode): a replica actor feeds it inputs (tick, step,
// propose, read_index, transfer_leader...) and drains `ready` batches that say what to persist,
// send and apply, then calls advance(). Pure: no I/O, clocks, threads or randomness of its own.
// Owned by one replica actor and used only on its thread.
//
// The persist/send/apply rule (etcd's, with the leader's parallel write of thesis §10.2.1):
//   - a leader's appends, heartbeats and snapshots go in ready::send_now and may leave before the
//     leader's own entries are durable; the leader counts itself toward commitment only after
//     advance() reports them persisted, so a commit index never rests on a volatile copy;
//   - vote grants and append acknowledgements, and every message of a ready whose hard state
//     changes the term or the vote, go in ready::send_after_persist: sent only once that ready's
//     hard state, snapshot and entries are durable;
//   - committed entries are applied after the ready is persisted (they may include entries of
//     the same ready).
// Sending everything after persisting is always allowed; it only costs the leader one fsync of
// latency per append (~0.5 ms here, small next to a WAN round trip).
#pragma once

#include <map>
#include <memory>

#include "raft/config.hpp"
#include "raft/core.hpp"
#include "raft/log_source.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

// A snapshot of a node's state for status pages, tests and the simulator's checks.
struct node_info {
  node_id id = no_node;
  std::uint64_t term = 0;
  node_id vote = no_node;
  node_id leader = no_node;
  raft::role role = raft::role::follower;
  std::uint64_t commit = 0;
  std::uint64_t applied = 0;
  std::uint64_t last_index = 0;
  node_id transfer_target = no_node;
  conf_state conf;
  struct follower {
    std::uint64_t match = 0;
    std::uint64_t next = 0;
    progress_state state = progress_state::probe;
    std::size_t inflight = 0;
  };
  std::map<node_id, follower> progress;  // filled on the leader only
};

class node {
 public:
  // Loads the hard state and membership from `source` and starts as a follower.
  // invalid_config for a bad config (naming the field) or an applied_index beyond the stored
  // commit; errors of source.load_state(). REQUIRES: `source` outlives the node.
  static result<node> create(const config& cfg, const log_source& source);

  // Inputs; see core.hpp for each contract.
  void tick() { core_->tick(); }
  void campaign() { core_->campaign(); }
  status step(message m) { return core_->step(std::move(m)); }
  result<std::uint64_t> propose(std::string data) { return core_->propose(std::move(data)); }
  result<std::uint64_t> propose_conf_change(const conf_change& change) {
    return core_->propose_conf_change(change);
  }
  conf_state apply_conf_change(const conf_change& change) {
    return core_->apply_conf_change(change);
  }
  status read_index(std::string context) { return core_->read_index(std::move(context)); }
  status transfer_leader(node_id to) { return core_->transfer_leader(to); }
  void report_unreachable(node_id id) { core_->report_unreachable(id); }
  void report_snapshot(node_id id, bool failed) { core_->report_snapshot(id, failed); }

  // Something to persist, send or apply is waiting (false while a ready is outstanding).
  bool has_ready() const;
  // Takes the next batch. REQUIRES: the previous ready was advanced.
  ready get_ready();
  // Reports the last ready persisted and applied (committed entries applied, conf changes among
  // them passed to apply_conf_change, snapshot installed). It takes no argument: the owner may
  // have moved the ready's entries into storage without copying, and the node remembers what it
  // handed out. REQUIRES: a ready is outstanding.
  void advance();

  node_info info() const;
  const core& raw() const { return *core_; }

 private:
  explicit node(std::unique_ptr<core> c, storage::hard_state stored);

  // What the outstanding ready handed out, for advance().
  struct handed_out {
    bool outstanding = false;
    std::uint64_t snapshot_index = 0;
    std::uint64_t last_entry_index = 0;
    std::uint64_t last_entry_term = 0;
    std::uint64_t last_committed_index = 0;
    std::size_t committed_payload_bytes = 0;
  };

  std::unique_ptr<core> core_;
  raft::soft_state previous_soft_;
  storage::hard_state previous_hard_;
  handed_out handed_out_;
};

}  // namespace meridian::raft
