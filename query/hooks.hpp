// What the SQL layer needs from the cluster, as two small interfaces with local defaults:
// - placement_hook: told about table placement (WITH (leader_dc = ..., home_dc_column = ...),
//   ALTER TABLE ... SET) after the descriptor commits, and about dropped tables. The local
//   hook checks names and records; the cluster's hook moves shard leaders.
// - cluster_view: which shards a key range touches and what a commit over N shards costs,
//   for EXPLAIN. The local view has one shard, "local", and one-phase commits.
// Implementations must be safe to call from the thread that runs a statement; callbacks may
// complete inline or later on another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "query/descriptor.hpp"

namespace meridian::query {

class placement_hook {
 public:
  virtual ~placement_hook() = default;
  // Checks options before the DDL commits (for example that leader_dc names a datacenter);
  // an error fails the statement and nothing is written.
  virtual status check(const table_placement& placement) const = 0;
  // After CREATE TABLE or ALTER TABLE ... SET committed. An error is reported by the statement
  // (the descriptor stays committed; re-running ALTER TABLE ... SET retries the move).
  virtual void table_placed(const table_descriptor& table, std::function<void(status)> done) = 0;
  // After DROP TABLE committed.
  virtual void table_dropped(const table_descriptor& table, std::function<void(status)> done) = 0;
};

// leader_dc names one of `dcs` (or is unset); otherwise sql_invalid_value listing them.
status check_leader_dc(const table_placement& placement, const std::vector<std::string>& dcs);

// Accepts the embedded cluster's datacenter names and records what it was told (for tests and
// DESCRIBE on a single node).
class local_placement_hook final : public placement_hook {
 public:
  struct event {
    std::string table;
    table_placement placement;
    bool dropped = false;
  };

  status check(const table_placement& placement) const override;
  void table_placed(const table_descriptor& table, std::function<void(status)> done) override;
  void table_dropped(const table_descriptor& table, std::function<void(status)> done) override;
  std::vector<event> events() const;

 private:
  mutable std::mutex mu_;
  std::vector<event> events_;
};

struct commit_estimate {
  std::uint32_t round_trips = 0;
  std::string path;  // "read-only", "one-phase", "async-commit", "classic"...
};

class cluster_view {
 public:
  virtual ~cluster_view() = default;
  // The shards holding keys in [start, end) (empty end: unbounded), in key order, as names a
  // person can read ("local", "shard 3 (leader eu-west)").
  virtual std::vector<std::string> shards_for(std::string_view start,
                                              std::string_view end) const = 0;
  // The commit of a statement whose writes and schema checks touch `shards_written` shards
  // (0: read-only).
  virtual commit_estimate estimate_commit(std::size_t shards_written) const = 0;
  // Round trips to obtain a start timestamp.
  virtual std::uint32_t timestamp_round_trips() const = 0;
};

class local_cluster_view final : public cluster_view {
 public:
  std::vector<std::string> shards_for(std::string_view start, std::string_view end) const override;
  commit_estimate estimate_commit(std::size_t shards_written) const override;
  std::uint32_t timestamp_round_trips() const override { return 0; }
};

}  // namespace meridian::query
