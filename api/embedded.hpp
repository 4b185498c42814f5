// Meridian in one process, for people: an embedded cluster of three datacenters (a node each by
// default, data under one directory, the real inter-region latencies unless told otherwise), and
// SQL sessions on it that sit in a datacenter of the user's choosing (api::session). Also the
// single-node local database behind the same interface. The cluster runs on CAF's threaded
// scheduler; sessions block their caller's thread while a statement runs.
#pragma once

#include <memory>
#include <string>

#include "api/session.hpp"
#include "query/local_database.hpp"

namespace meridian::api {

struct embedded_options {
  std::string data_dir = "meridian-data";  // LMDB partitions; empty: in memory
  double wan_scale = 1.0;                  // 0: no simulated inter-region latency
  std::size_t nodes_per_dc = 1;
  // Boundaries of the initial data shards.
  std::vector<std::string> split_keys = {"t"};
  // Tests: DDL leaves its tables unplaced, as a process killed between a placed table's commit
  // and its placement would; the next start places them.
  bool skip_placement = false;
};

class embedded_cluster {
 public:
  static result<std::unique_ptr<embedded_cluster>> start(const embedded_options& options);
  ~embedded_cluster();

  // A session whose client sits in datacenter `dc` (its round trips are measured from there).
  result<std::unique_ptr<session>> open_session(const std::string& dc);
  std::vector<std::string> datacenters() const;

  struct impl;
  impl& internals() { return *impl_; }

 private:
  explicit embedded_cluster(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

// An embedded cluster as a query::sql_database (the engine of a client in the first datacenter,
// with the cluster's placement hook and view): `meridian sqltest --engine cluster`.
result<std::unique_ptr<query::sql_database>> open_cluster_database(const embedded_options& options);

// A single-node database (no replication, no datacenters) behind the session interface.
result<std::unique_ptr<session>> open_local_session(const std::string& data_dir);

}  // namespace meridian::api
