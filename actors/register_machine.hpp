// A replicated map of registers: the state machine of the Raft simulator and of the replica
// tests (issue 3's "replicated key-value test state machine"). Commands: write(k, v) and
// compare-and-set(k, expected, new); query: read(k). Values live in the `data` family under the
// raw key, next to the applied index, so every apply is one atomic write. Pure over the engine.
#pragma once

#include <optional>

#include "actors/state_machine.hpp"

namespace meridian::actors {

class register_machine final : public state_machine {
 public:
  explicit register_machine(storage::kv_engine& engine) : state_(engine) {}

  static std::string write_command(const std::string& key, const std::string& value);
  // expected = nullopt: the register must be unset.
  static std::string cas_command(const std::string& key, const std::optional<std::string>& expected,
                                 const std::string& value);
  static std::string read_query(const std::string& key);
  // Outputs: write -> ""; cas -> "1" (swapped) or "0"; read -> decode_read().
  static result<std::optional<std::string>> decode_read(const std::string& output);

  result<applied_state> load() override { return state_.load(); }
  result<std::vector<std::string>> apply(const std::vector<storage::log_entry>& entries,
                                         const std::optional<raft::conf_state>& conf,
                                         storage::kv_write_batch& batch) override;
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
