// The meta shard's state machine: the shard directory and the timestamp oracle's persisted
// high-water mark, and garbage collection's reports and safe point, replicated like any shard.
// Commands: put shard records, raise the mark, allocate a shard id, report a node's oldest active
// transaction, raise the GC safe point. Queries: the whole directory, the mark, GC's state. Pure over the engine; owned by one replica.
#pragma once

#include "actors/directory.hpp"
#include "actors/state_machine.hpp"
#include "txn/gc_safe_point.hpp"

namespace meridian::actors {

class meta_machine final : public state_machine {
 public:
  explicit meta_machine(storage::kv_engine& engine) : state_(engine) {}

  // A shard leader's record of its shard, written only if the stored one has an older epoch, and
  // then with the stored preferred_dc (which placement owns).
  static std::string publish_record_command(const shard_record& r);
  // Sets the stored record's preferred_dc, leaving the rest as stored.
  static std::string prefer_command(shard_id id, const std::string& dc);
  // Several records in one command: a split's two halves change the directory atomically.
  static std::string put_records_command(const std::vector<shard_record>& records);
  static std::string raise_hw_command(std::uint64_t hw);
  // Allocates a fresh shard id (a split's new shard); the answer is the id, 8 bytes big-endian.
  static std::string allocate_shard_id_command();
  // Garbage collection's shared state: each node's oldest active start_ts (kept when newer than
  // the stored report), and the cluster's safe point (only rises).
  static std::string report_active_command(const txn::gc_report& r);
  static std::string raise_safe_point_command(std::uint64_t safe_point);
  struct gc_state {
    std::uint64_t safe_point = 0;
    std::vector<txn::gc_report> reports;
  };
  static std::string gc_state_query();
  static result<gc_state> decode_gc_state(std::string_view bytes);
  static std::string directory_query();
  static std::string hw_query();
  // The meta shard's bootstrap state: the initial directory (a new cluster's snapshot data).
  static result<std::string> initial_partition(const std::vector<shard_record>& records);

  result<applied_state> load() override { return state_.load(); }
  result<std::vector<std::string>> apply(const std::vector<storage::log_entry>& entries,
                                         const std::optional<raft::conf_state>& conf,
                                         storage::kv_write_batch& batch) override;
  // directory_query -> encode_directory; hw_query -> 8-byte big-endian mark.
  result<std::string> query(const std::string& request) override;
  void reads_over(const storage::batch_overlay* unlanded) override { state_.set_pending(unlanded); }
  storage::kv_engine& applied_view() override { return state_.engine(); }
  result<std::string> snapshot_data() override { return state_.snapshot_data(); }
  status restore(const raft::snapshot& snap) override { return state_.restore(snap); }
  status sync() override { return state_.engine().sync(); }

 private:
  engine_state state_;
};

}  // namespace meridian::actors
