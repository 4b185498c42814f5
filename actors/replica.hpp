// One shard replica without the actor: a Raft node, its log store and its state machine over one
// storage engine, plus the bookkeeping that turns client requests into proposals and linearizable
// reads and answers them when they are applied. The replica actor (replica_actor.hpp) only moves
// messages in and out and calls these methods; the unit tests and the simulator drive the same
// code. Owned by one actor; not thread-safe.
//
// A ready is handled in two steps, so a leader's appends leave before its own fsync (Raft thesis
// §10.2.1):  begin_ready() -> send its messages -> finish_ready() (persist with one fsync, apply,
// answer) -> send its messages.
//
// Applied commands reach the engine in batches ("flushes", as etcd's backend commits every
// 100 ms): a ready's write carries its log entries at once, but what it applied waits in memory
// (laid over the engine for every read: state_machine::reads_over) until a flush moves
// everything applied since the last one into the engine, with the applied index, in one write.
// A command's pages are then written once per flush instead of once per ready. A crash loses
// only unflushed applies, which the restarted replica applies again from its log (the log is
// never compacted past what the engine holds).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "actors/state_machine.hpp"
#include "common/topology.hpp"
#include "raft/node.hpp"
#include "storage/log_store.hpp"

namespace meridian::actors {

struct replica_options {
  raft::node_id id = 0;
  shard_id shard = 0;
  raft::config raft;  // raft.id and raft.applied_index are filled in by open()
  // Compact the log when this many applied entries are in it, keeping `keep_entries` of them for
  // followers that lag a little (farther behind, they get a snapshot).
  std::uint64_t compact_after_entries = 10'000;
  std::uint64_t keep_entries = 1'000;
  // Flush what was applied once this many readies applied something, once it holds this many
  // bytes, or at the next tick, whichever comes first.
  std::uint32_t flush_after_readies = 32;
  std::size_t flush_after_bytes = 4u << 20;
  // Requests waiting for their answer (proposals and reads together).
  std::size_t max_pending_requests = 16'384;
  // Wall-clock milliseconds (the simulator passes its simulated clock): handed to the state
  // machine's leader-side hooks, which must not read a clock of their own.
  std::function<std::uint64_t()> clock_ms;
  // Report every applied entry (index, term, checksum) in ready_output::applied, for the
  // simulator's state-machine-safety checker. Off in production: it costs a checksum per entry.
  bool record_applied = false;
  status validate() const;
};

struct request_done {
  std::uint64_t id = 0;
  result<std::string> outcome;
};

struct applied_entry {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint32_t checksum = 0;  // crc32c of type and payload
};

struct ready_output {
  std::vector<raft::message> messages;
  std::vector<request_done> done;
  bool soft_state_changed = false;
  std::vector<applied_entry> applied;  // only with replica_options::record_applied
  // Replicas this node must start (a split applied here), with the group's membership.
  std::vector<spawn_request> spawns;
};

// raft::log_source over the replica's log store and state machine.
class replica_log_source final : public raft::log_source {
 public:
  replica_log_source(storage::log_store& log, state_machine& machine)
      : log_(log), machine_(machine) {}
  result<raft::stored_state> load_state() const override;
  std::uint64_t first_index() const override { return log_.first_index(); }
  std::uint64_t last_index() const override { return log_.last_index(); }
  result<std::uint64_t> term(std::uint64_t index) const override { return log_.term(index); }
  result<std::vector<storage::log_entry>> entries(std::uint64_t lo, std::uint64_t hi,
                                                  std::size_t max_bytes) const override {
    return log_.entries(lo, hi, max_bytes);
  }
  result<raft::snapshot> snapshot() const override;

 private:
  storage::log_store& log_;
  state_machine& machine_;
};

class replica {
 public:
  // Opens the replica stored in `engine`. When the storage is empty and `bootstrap` is given,
  // starts a new group with that membership (every initial member does the same); a member
  // added later starts empty and is caught up by snapshot. Repairs the one crash window of a
  // snapshot install (state machine ahead of the log) before Raft starts.
  static result<std::unique_ptr<replica>> open(replica_options options,
                                               storage::kv_engine& engine,
                                               std::unique_ptr<state_machine> machine,
                                               std::optional<raft::conf_state> bootstrap);
  // The same, bootstrapping from a snapshot that also carries the initial state (the meta
  // shard's initial directory, a data shard's descriptor).
  static result<std::unique_ptr<replica>> open_with(replica_options options,
                                                    storage::kv_engine& engine,
                                                    std::unique_ptr<state_machine> machine,
                                                    std::optional<raft::snapshot> bootstrap);

  // Also asks for a flush of whatever was applied before it (a bound on how long applied
  // commands stay out of the engine when little happens).
  void tick();
  // Malformed or misaddressed messages are dropped (a peer cannot crash us).
  void step(raft::message m);
  // A write. Answered through ready_output::done when applied: the state machine's output, or
  // proposal_dropped (it lost its place in the log: never applied), not_leader, limit_exceeded.
  void propose(std::uint64_t id, std::string command);
  // A linearizable read of the state machine, on the leader (a follower answers not_leader,
  // naming the leader). unavailable when no leader is known.
  void read(std::uint64_t id, std::string query);
  // The same read answered at once, when the leader's lease holds and it has applied its commit
  // index: no heartbeat round and no wait behind the fsync of a ready that does not concern it,
  // even while its own write runs (the read then sees the engine with that write laid over it).
  // nullopt when it cannot be: the caller then uses read().
  std::optional<result<std::string>> read_now(const std::string& query);
  // read_now(), except that a read answered with a live lock its state machine expects a command
  // to remove soon (state_machine::wait_for) is parked under `id`: answered through
  // ready_output::done once a command applied here changes that key (read again then), or with
  // the lock when the wait runs out (at a tick) or leadership moves. Readers wait for the commit
  // they would otherwise poll for (TiKV's lock waiting, for reads).
  enum class read_outcome { answered, parked, not_now };
  read_outcome read_or_park(std::uint64_t id, const std::string& query,
                            std::optional<result<std::string>>& answer);
  status transfer_leader(raft::node_id to) { return node_->transfer_leader(to); }
  // A new group (still in the bootstrap term) campaigns now instead of after an election
  // timeout, as a split's new shard does on the node that led the parent (TiKV does the same):
  // its peers start their replicas when their parent applies the split, about when this one's
  // vote requests reach them, so a request that found no replica yet is sent again each
  // heartbeat interval, `attempts` times in all, until a leader is known or the election is past
  // its pre-vote. A restarted group (one that has had a leader) first waits out its members'
  // restart wait, an election timeout, and then campaigns before their randomized timeouts
  // would: the preferred datacenter's replica leads from the start instead of being handed
  // leadership by the balancer later.
  void campaign_now(int attempts);
  // A fresh timestamp fetched after this replica became leader of `term` (see
  // state_machine::wants_leader_timestamp); ignored if the term has moved on.
  void leader_timestamp(std::uint64_t term, std::uint64_t ts);
  void propose_conf_change(std::uint64_t id, const raft::conf_change& change);
  // A stale read, answered at once from this replica's applied state (any replica may serve it
  // below its safe timestamp; state_machine::stale_query decides).
  result<std::string> read_stale(const std::string& query) { return machine_->stale_query(query); }
  // On the leader, with a fresh timestamp: proposes the state machine's periodic command (the
  // shard's safe_ts), if it has one. Its answer goes nowhere.
  void propose_periodic(std::uint64_t fresh_ts);
  void report_unreachable(raft::node_id peer) { node_->report_unreachable(peer); }
  void report_snapshot(raft::node_id peer, bool failed) { node_->report_snapshot(peer, failed); }

  bool has_ready() const { return !immediate_.empty() || node_->has_ready() || flush_wanted_; }
  std::vector<raft::message> begin_ready();
  // Persists (one fsync when needed), applies, serves reads, advances. An error means storage
  // failed: the replica must stop. stage_ready(), run, complete_ready() in one go.
  result<ready_output> finish_ready();
  // The replica is stopping because its storage failed (`cause`): an answer for every request
  // it holds, so no client waits out its timeout. A proposal's outcome is unknown (another
  // replica may commit it); a read may be tried elsewhere.
  std::vector<request_done> abandon(const error& cause);

  // A ready's durable write: its log entries and hard state and, when it flushes, every command
  // applied since the last flush, in one engine write. It touches only the log store and the
  // engine, so it may run on another thread (a persister) between stage_ready() and
  // complete_ready().
  struct pending_write {
    storage::log_store* log = nullptr;
    const storage::kv_write_batch* applied = nullptr;  // a flush: the replica's unlanded writes
    storage::durability durability = storage::durability::sync;
    result<std::uint64_t> run();  // the durable last index, or the storage error
  };
  struct staged_ready {
    // The write, owned by the replica until complete_ready(); null when nothing needs the disk
    // (a ready that only applied, or only learned a new commit index: Raft's commitIndex is
    // volatile, and is written with the next write). While it runs elsewhere it is only read,
    // and the replica may serve read_now().
    pending_write* write = nullptr;
    // Answers to proposals whose entries this ready applies. They may leave before the write
    // lands: a committed entry is durable on a quorum already, and its output is a function of
    // the log, which a restart replays from the applied index the engine holds.
    std::vector<request_done> answers;
  };
  // finish_ready() in two steps: stage (persist and apply into a write) ...
  result<staged_ready> stage_ready();
  // ... then, once the write ran: send what waited for it, advance, serve reads.
  result<ready_output> complete_ready(result<std::uint64_t> synced);
  // Between the two, only read_now(), info() and lease_valid() may be called.

  raft::node_info info() const { return node_->info(); }
  // The leader's lease holds now (lease read mode only): a timestamp oracle may issue.
  bool lease_valid() const { return node_->raw().lease_valid(); }
  raft::node_id id() const { return options_.id; }
  shard_id shard() const { return options_.shard; }
  std::uint64_t applied_index() const { return applied_; }
  // The applied index the engine holds (the last flush's); the log keeps every entry above it.
  std::uint64_t landed_index() const { return landed_; }
  const storage::log_store& log() const { return *log_; }
  state_machine& machine() { return *machine_; }
  std::size_t pending_requests() const {
    return proposals_.size() + reads_.size() + parked_.size();
  }

 private:
  replica(replica_options options, storage::kv_engine& engine,
          std::unique_ptr<state_machine> machine);
  status start(std::optional<raft::snapshot> bootstrap);
  status persist(raft::ready& rd);
  status apply(std::vector<storage::log_entry>& entries, ready_output& out);
  bool flush_due() const;
  result<bool> stage_node_ready(ready_output& out);
  void serve_reads(ready_output& out);
  void fail_reads(const error& e, ready_output& out);
  struct parked_read {
    std::uint64_t id = 0;
    std::string query;
    result<std::string> answer;  // what it is answered with if the wait runs out
    std::uint64_t until_ms = 0;
  };
  bool park(parked_read& read);
  void wake_parked(std::vector<std::string> keys, ready_output& out);
  void expire_parked(bool all);
  status maybe_compact();
  error not_leader() const;
  bool admit(std::uint64_t id);
  void retry_campaign();

  struct pending_proposal {
    std::uint64_t id = 0;
    std::uint64_t term = 0;
  };
  void finish_proposal(std::uint64_t index, result<std::string> outcome, ready_output& out);
  std::uint64_t now_ms() const { return options_.clock_ms ? options_.clock_ms() : 0; }
  struct pending_read {
    std::uint64_t id = 0;
    std::string query;
    std::uint64_t index = 0;  // 0 until the read index is known
  };

  replica_options options_;
  storage::kv_engine& engine_;
  // Applied writes not yet in the engine (up to applied_; the engine holds up to landed_). The
  // state machine reads through it. Declared before machine_, which points at it.
  storage::batch_overlay unlanded_;
  std::uint32_t readies_unflushed_ = 0;
  bool flush_wanted_ = false;
  int campaigns_left_ = 0;  // campaign_now()'s attempts still to make
  std::uint64_t ticks_to_campaign_ = 0;
  std::unique_ptr<state_machine> machine_;
  std::unique_ptr<storage::log_store> log_;
  std::unique_ptr<replica_log_source> source_;
  std::optional<raft::node> node_;
  std::uint64_t applied_ = 0;
  std::uint64_t landed_ = 0;
  std::uint64_t next_read_context_ = 1;
  std::map<std::uint64_t, pending_proposal> proposals_;  // by log index
  std::map<std::uint64_t, pending_read> reads_;          // by read context
  std::vector<request_done> immediate_;                  // answered without Raft
  std::multimap<std::string, parked_read> parked_;       // by the key each waits on
  std::optional<raft::ready> ready_;
  std::optional<ready_output> staged_;  // between stage_ready() and complete_ready()
  std::optional<pending_write> in_flight_;          // likewise
};

}  // namespace meridian::actors
