// A self-contained single-node database for tools, tests and benchmarks: a storage partition
// (in memory, or LMDB in a temporary directory removed on destruction) under a
// txn::local_engine. Sessions are opened over engine(). Thread-safety is the local engine's
// (sessions on several threads may share it when the partition is LMDB).
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "query/hooks.hpp"
#include "storage/directory_lock.hpp"
#include "storage/engine.hpp"
#include "txn/local_engine.hpp"

namespace meridian::query {

// What a SQL test or tool runs against: an engine plus the cluster's hooks (null: local).
class sql_database {
 public:
  virtual ~sql_database() = default;
  virtual txn::transaction_engine& engine() = 0;
  virtual placement_hook* placement() { return nullptr; }
  virtual const cluster_view* cluster() { return nullptr; }
  // The engine's name for sqllogictest's skipif/onlyif ("local", "cluster").
  virtual std::string engine_name() const { return "local"; }
};

class local_database final : public sql_database {
 public:
  enum class storage_kind { memory, lmdb };
  // A throw-away database: in memory, or in a temporary LMDB directory removed on destruction.
  static result<std::unique_ptr<local_database>> open(storage_kind kind);
  // A database that persists in `directory` (created when missing).
  static result<std::unique_ptr<local_database>> open_at(const std::string& directory);
  ~local_database() override;

  txn::transaction_engine& engine() override { return *engine_; }
  txn::local_engine& local() { return *engine_; }

 private:
  local_database() = default;
  std::string directory_;  // LMDB only: removed on destruction
  std::unique_ptr<storage::directory_lock> lock_;  // open_at(): the directory is ours
  std::unique_ptr<storage::kv_engine> storage_;
  std::unique_ptr<txn::local_engine> engine_;
};

}  // namespace meridian::query
