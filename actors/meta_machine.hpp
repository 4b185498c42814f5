// The meta shard's state machine: the shard directory and the timestamp oracle's persisted
// high-water mark, replicated like any shard. Commands: put a shard record, raise the mark.
// Queries: the whole directory, the mark. Pure over the engine; owned by one replica.
#pragma once

#include "actors/directory.hpp"
#include "actors/state_machine.hpp"

namespace meridian::actors {

class meta_machine final : public state_machine {
 public:
  explicit meta_machine(storage::kv_engine& engine) : state_(engine) {}

  static std::string put_record_command(const shard_record& r);
  // Several records in one command: a split's two halves change the directory atomically.
  static std::string put_records_command(const std::vector<shard_record>& records);
  static std::string raise_hw_command(std::uint64_t hw);
  // Allocates a fresh shard id (a split's new shard); the answer is the id, 8 bytes big-endian.
  static std::string allocate_shard_id_command();
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
  result<std::string> snapshot_data() override { return state_.snapshot_data(); }
  status restore(const raft::snapshot& snap) override { return state_.restore(snap); }
  status sync() override { return state_.engine().sync(); }

 private:
  engine_state state_;
};

}  // namespace meridian::actors
