// One session interface for people and programs (DESIGN.md): the shell, the examples and tests
// talk to Meridian through this, whether the database runs in-process (embedded_session) or
// behind the Cap'n Proto API (remote_session). Plain C++, no Cap'n Proto here. Calls block the
// caller until the statement finishes: never call them from inside an actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "common/topology.hpp"
#include "txn/transaction.hpp"

namespace meridian::api {

struct column {
  std::string name;
  std::string type;  // SQL type as the user wrote it: BIGINT, DECIMAL(10,2), TEXT...
};

struct statement_result {
  std::vector<column> columns;
  std::vector<std::vector<datum>> rows;
  std::uint64_t rows_affected = 0;
  std::string tag;          // "SELECT 3", "INSERT 2", "CREATE TABLE", "BEGIN"...
  std::string explanation;  // EXPLAIN's text, notices
  txn::ledger ledger;       // the round trips the statement paid
  double elapsed_ms = 0;
};

struct dc_info {
  std::string name;
  std::vector<double> rtt_ms;  // to every dc, in the order of cluster_info::dcs
  bool reachable = true;       // false while a fault isolates it
};

struct node_status {
  node_id id = 0;
  std::string dc;
  bool up = true;
};

struct shard_status {
  shard_id id = 0;
  std::string start_key;  // printable form of the range
  std::string end_key;
  std::uint64_t epoch = 0;
  node_id leader = 0;  // 0 = no leader known
  std::string leader_dc;
  std::string preferred_dc;
  std::vector<node_id> replicas;
};

struct cluster_info {
  std::string mode;  // "local", "embedded", "remote"
  std::vector<dc_info> dcs;
  std::vector<node_status> nodes;
  std::vector<shard_status> shards;
  std::string tso_dc;
  std::string session_dc;
};

// Fault injection: embedded mode, or a server started with an admin token.
struct fault_request {
  enum class kind : std::uint8_t { isolate_dc, heal, crash_node, restart_node };
  kind what = kind::heal;
  std::string target;  // dc name or node id
};

class session {
 public:
  virtual ~session() = default;

  // Runs one SQL statement (BEGIN/COMMIT/ROLLBACK included). $1, $2... bind `params`.
  virtual result<statement_result> execute(const std::string& sql,
                                           const std::vector<datum>& params = {}) = 0;
  virtual status begin() = 0;
  virtual status commit() = 0;
  virtual status rollback() = 0;
  // Asks the running statement to stop (from another thread); it fails with errc::cancelled.
  virtual void cancel() = 0;
  // Moves the session to a datacenter: reads and commits are then measured from there.
  virtual status set_dc(const std::string& dc) = 0;
  virtual std::string current_dc() const = 0;
  virtual result<cluster_info> cluster() = 0;
  virtual status fault(const fault_request& request) = 0;
  virtual bool in_transaction() const = 0;
};

}  // namespace meridian::api
