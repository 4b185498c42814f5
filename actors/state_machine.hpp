// What a replica applies its committed log to. The replica (replica.hpp) owns one and calls it
// in log order; implementations are pure logic over a storage engine (the shard's Percolator
// state machine, the simulator's register machine), so they run the same under the simulator.
// Owned by one replica; used on its thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/topology.hpp"
#include "raft/types.hpp"
#include "storage/engine.hpp"
#include "storage/overlay.hpp"

namespace meridian::actors {

// What the state machine had applied when it was last written: the replica restarts from here.
struct applied_state {
  std::uint64_t index = 0;
  std::uint64_t term = 0;  // the term of the entry at `index`
  raft::conf_state conf;
};

// A replica this node must start: a split's new shard, with the state it starts from.
struct spawn_request {
  shard_id shard = 0;
  std::string start;
  std::string end;
  std::uint64_t epoch = 0;
  raft::conf_state conf;
  std::string bootstrap_data;  // the bootstrap snapshot's data (a partition export)
  bool campaign = false;       // the parent's leader applied the split: campaign at once
};

class state_machine {
 public:
  virtual ~state_machine() = default;

  virtual result<applied_state> load() = 0;
  // Applies committed entries in order: adds their writes, the new applied index and term (their
  // last entry's) and, when it changed, the membership to `batch`, which the replica commits in
  // the same durable write as the Raft log changes of the ready (one fsync for both). Returns
  // one output per entry: the command's answer for normal entries, empty for no-ops and
  // membership changes. A command that fails deterministically answers with an encoded error in
  // its output; an error result means the state machine cannot continue (storage failure).
  virtual result<std::vector<std::string>> apply(const std::vector<storage::log_entry>& entries,
                                                 const std::optional<raft::conf_state>& conf,
                                                 storage::kv_write_batch& batch) = 0;
  // Answers a read at the applied state (after the replica made the read linearizable).
  virtual result<std::string> query(const std::string& request) = 0;
  // The writes the replica applied that have not reached the engine yet (it moves them there in
  // batches, replica.hpp): from now on query(), stale_query(), apply() and snapshots read the
  // engine with `unlanded` laid over it, which is the applied state. The replica keeps it alive
  // and changes it only on its own thread. Null: nothing is laid over.
  virtual void reads_over(const storage::batch_overlay* unlanded) = 0;
  // The applied state as an engine to read (the engine with reads_over() laid over it); the
  // simulator's checkers compare replicas through it.
  virtual storage::kv_engine& applied_view() = 0;
  // The whole state as of the applied index, and replacing the state with a snapshot's.
  virtual result<std::string> snapshot_data() = 0;
  virtual status restore(const raft::snapshot& snap) = 0;
  // Makes every write of the state machine durable; called before the replica compacts its log.
  virtual status sync() = 0;

  // ---- leader-side hooks (the defaults do nothing) ----
  // Before a command is proposed on the leader: refuse it, or fill in what only the leader knows
  // (the shard's max_ts, its clock). Resources taken for the command (memory locks) are kept
  // under `token` until release(token), which the replica calls once the command is applied or
  // has failed.
  virtual result<std::string> prepare(const std::string& command, std::uint64_t token,
                                      std::uint64_t now_ms) {
    return command;
  }
  virtual void release(std::uint64_t token) {}
  // When a read reaches the leader, before its read-index round: may refuse it (a lock still
  // being proposed blocks it) and records what it must (raising max_ts).
  virtual status before_read(const std::string& query) { return ok_status(); }
  // This replica became leader of `term`, or stopped leading.
  virtual void leadership_changed(bool leader, std::uint64_t term) {}
  // Whether a new leader needs a fresh timestamp before serving some commands (max_ts).
  virtual bool wants_leader_timestamp() const { return false; }
  // The fresh timestamp fetched after becoming leader of `term`.
  virtual void leader_timestamp(std::uint64_t term, std::uint64_t ts) {}
  // Called on the leader every few ticks' worth of time with a fresh timestamp: a command to
  // propose (the shard's safe_ts), or nothing.
  virtual std::optional<std::string> periodic_command(std::uint64_t fresh_ts) {
    return std::nullopt;
  }
  // Replicas this node must start because of what was applied (a split); taken once.
  virtual std::vector<spawn_request> take_spawns() { return {}; }
  // The shard's range and epoch as this replica knows them (a data shard's leader publishes
  // them to the directory); nothing for state machines without a key range.
  virtual std::optional<spawn_request> own_range() const { return std::nullopt; }
  // The key to split this shard at, when it has grown past its size limit (leader side).
  virtual std::optional<std::string> wants_split() { return std::nullopt; }
  // A leader's read answered with a lock that a later command may remove (a transaction's lock,
  // alive, whose commit is on its way): the key to wait on and until when (replica clock, ms) the
  // replica may hold the read back and answer it again once that key changes (replica.hpp,
  // parked reads). Nothing: answer now.
  struct read_wait {
    std::string key;
    std::uint64_t until_ms = 0;
  };
  virtual std::optional<read_wait> wait_for(const std::string& query,
                                            const result<std::string>& answer,
                                            std::uint64_t now_ms) {
    return std::nullopt;
  }
  // Keys whose locks the commands applied since the last call may have removed; taken once.
  virtual std::vector<std::string> take_released() { return {}; }
  // A read served by any replica without a read-index round (a stale read below the replica's
  // safe timestamp); not_ready when this replica cannot serve it yet.
  virtual result<std::string> stale_query(const std::string& request) {
    return error(errc::not_ready, "this state machine serves no stale reads");
  }
};

// The parts every engine-backed state machine shares: the applied index and membership kept in
// the `meta` family (written in the same batch as the applied commands), and snapshots as whole
// copies of the state machine's families.
class engine_state {
 public:
  explicit engine_state(storage::kv_engine& engine) : engine_(engine) {}
  // The engine as the state machine sees it: with the replica's unlanded writes laid over it
  // (state_machine::reads_over). Writes go to the engine itself.
  storage::kv_engine& engine() { return engine_; }
  result<std::unique_ptr<storage::kv_snapshot>> read_view() { return engine_.snapshot(); }
  void set_pending(const storage::batch_overlay* unlanded) { engine_.set_overlay(unlanded); }
  result<applied_state> load();
  // Adds the applied index and term and, when given, the membership to `batch`.
  void record(storage::kv_write_batch& batch, std::uint64_t index, std::uint64_t term,
              const std::optional<raft::conf_state>& conf);
  result<std::string> snapshot_data();
  status restore(const raft::snapshot& snap);

 private:
  storage::layered_engine engine_;
};

std::string encode_conf_state(const raft::conf_state& conf);
result<raft::conf_state> decode_conf_state(std::string_view bytes);

}  // namespace meridian::actors
