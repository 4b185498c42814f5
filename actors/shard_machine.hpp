// The state machine of a data shard: Percolator's column families over the shard's engine, the
// shard's range and epoch, and the leader-only state of async commit and one-phase commit (the
// concurrency manager: max_ts and memory locks). Committed commands run the txn/ actions through
// an overlay, so each command of a ready sees the ones before it, and all of them reach storage
// in the ready's one durable write. Reads (after read-index) answer gets and scans at a read
// timestamp. Owned by one replica; used on its thread.
#pragma once

#include <map>

#include "actors/shard_protocol.hpp"
#include "actors/state_machine.hpp"
#include "common/topology.hpp"
#include "storage/overlay.hpp"
#include "txn/concurrency_manager.hpp"

namespace meridian::actors {

struct shard_descriptor {
  shard_id id = 0;
  std::string start;  // inclusive
  std::string end;    // exclusive; empty = no upper bound
  std::uint64_t epoch = 1;
  bool contains(std::string_view key) const {
    return key >= start && (end.empty() || key < end);
  }
};

std::string encode_descriptor(const shard_descriptor& d);
result<shard_descriptor> decode_descriptor(std::string_view bytes);
// A partition holding only a shard's descriptor: the data of a new shard's bootstrap snapshot, so
// every replica starts with it and finds it again after a restart.
result<std::string> initial_shard_partition(const shard_descriptor& d);

struct shard_machine_options {
  // The TSO's window: a read or status check whose timestamp lies further ahead of the leader's
  // clock is refused (PROTOCOL.md).
  std::uint64_t tso_window_ms = 3000;
  // A shard holding more distinct keys than this asks to be split at its middle key; 0: never.
  std::size_t split_after_keys = 0;
  // A leader holds a read that met a live lock back for at most this long, answering it as soon
  // as a command applied here changes that key (state_machine::wait_for); 0: never.
  std::uint64_t park_reads_ms = 100;
};

class shard_machine final : public state_machine {
 public:
  // The descriptor stored in the engine wins over `initial` (the shard may have split since).
  shard_machine(storage::kv_engine& engine, shard_descriptor initial,
                shard_machine_options options = {});

  result<applied_state> load() override { return state_.load(); }
  result<std::vector<std::string>> apply(const std::vector<storage::log_entry>& entries,
                                         const std::optional<raft::conf_state>& conf,
                                         storage::kv_write_batch& batch) override;
  result<std::string> query(const std::string& request) override;
  void reads_over(const storage::batch_overlay* unlanded) override { state_.set_pending(unlanded); }
  storage::kv_engine& applied_view() override { return state_.engine(); }
  result<std::string> snapshot_data() override { return state_.snapshot_data(); }
  status restore(const raft::snapshot& snap) override;
  status sync() override { return state_.engine().sync(); }

  result<std::string> prepare(const std::string& command, std::uint64_t token,
                              std::uint64_t now_ms) override;
  void release(std::uint64_t token) override { guards_.erase(token); }
  status before_read(const std::string& query) override;
  void leadership_changed(bool leader, std::uint64_t term) override;
  bool wants_leader_timestamp() const override { return true; }
  void leader_timestamp(std::uint64_t term, std::uint64_t ts) override;
  std::optional<std::string> periodic_command(std::uint64_t fresh_ts) override;
  std::vector<spawn_request> take_spawns() override { return std::move(spawns_); }
  std::optional<std::string> wants_split() override;
  std::optional<spawn_request> own_range() const override {
    return spawn_request{descriptor_.id, descriptor_.start, descriptor_.end, descriptor_.epoch, {}, {}};
  }
  result<std::string> stale_query(const std::string& request) override;
  std::optional<read_wait> wait_for(const std::string& query, const result<std::string>& answer,
                                    std::uint64_t now_ms) override;
  std::vector<std::string> take_released() override { return std::move(released_); }
  std::uint64_t safe_ts() const { return safe_ts_; }
  // The shard's storage (for checks and tests: sizes, checksums).
  storage::kv_engine& engine() { return state_.engine(); }

  const shard_descriptor& descriptor() const { return descriptor_; }
  txn::concurrency_manager& concurrency() { return concurrency_; }

 private:
  // The answer to one command (an encoded ok payload or txn_error), its writes added to overlay.
  std::string apply_command(std::string_view bytes, storage::kv_snapshot& base,
                            storage::batch_overlay& overlay);
  txn::txn_result<std::string> run(const shard_command& c, storage::mvcc_reader& reader,
                                   storage::kv_snapshot& view, storage::mvcc_batch& writes);
  status check_route(std::uint64_t epoch, const std::vector<std::string>& keys) const;
  std::pair<std::string, std::string> clamp(const std::string& start, const std::string& end) const;
  txn::txn_result<std::string> validate_unchanged(storage::mvcc_reader& reader,
                                                  const std::vector<std::string>& keys,
                                                  std::uint64_t start_ts);
  result<std::string> prepare_prewrite(prewrite_cmd cmd, std::uint64_t token);
  txn::txn_result<std::string> split(const split_cmd& cmd, storage::kv_snapshot& view,
                                     storage::mvcc_batch& writes);

  engine_state state_;
  shard_descriptor descriptor_;
  shard_machine_options options_;
  txn::concurrency_manager concurrency_;
  std::map<std::uint64_t, txn::memory_locks> guards_;  // by proposal token
  bool leader_ = false;
  std::uint64_t term_ = 0;
  std::uint64_t safe_ts_ = 0;  // applied: reads at or below it may be served by this replica
  std::vector<spawn_request> spawns_;
  std::vector<std::string> released_;  // keys of the commands applied since take_released()
  std::size_t split_checks_ = 0;
  void load_descriptor();
  void bump_epoch(storage::batch_overlay& overlay);
};

}  // namespace meridian::actors
