// The local, single-node transaction engine: the txn::transaction_engine that SQL runs on before
// (and besides) the distributed coordinator. One storage partition, timestamps from a local
// tso_core whose high-water mark is persisted in the partition, the same Percolator MVCC records,
// and commit as a one-phase commit under one lock: conflict checks (first committer wins) and
// commit records in a single durable write. Snapshot isolation, like the cluster.
// Thread-safe: sessions on different threads may share one engine; callbacks run inline.
#pragma once

#include <functional>
#include <mutex>

#include "storage/engine.hpp"
#include "txn/prewrite.hpp"
#include "txn/timestamp.hpp"
#include "txn/transaction.hpp"

namespace meridian::txn {

class local_engine final : public transaction_engine {
 public:
  // Milliseconds of wall-clock time; tests inject their own.
  using clock_fn = std::function<std::uint64_t()>;

  // Loads the persisted timestamp mark from `engine`. REQUIRES: `engine` outlives this.
  static result<std::unique_ptr<local_engine>> open(storage::kv_engine& engine,
                                                    clock_fn clock = {});

  ~local_engine() override;

  void begin(begin_options options, callback<std::unique_ptr<transaction>> done) override;

  // A fresh timestamp (strictly greater than every one issued before, across restarts).
  result<std::uint64_t> next_ts();
  storage::kv_engine& storage() { return engine_; }

  // Commits `mutations` read at start_ts as one atomic write at a fresh commit_ts. Conflicts:
  // write_conflict when another transaction committed one of the keys, or a put or delete of one
  // of `unchanged`, after start_ts.
  result<std::uint64_t> commit(std::uint64_t start_ts, const std::vector<mutation>& mutations,
                               const std::vector<std::string>& unchanged = {});

 private:
  local_engine(storage::kv_engine& engine, clock_fn clock);
  result<std::uint64_t> next_ts_locked();

  storage::kv_engine& engine_;
  clock_fn clock_;
  std::mutex mu_;  // guards tso_ and serializes commits
  tso_core tso_;
};

}  // namespace meridian::txn
