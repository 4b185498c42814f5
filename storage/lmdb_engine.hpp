// The LMDB engine: one environment (one directory) per shard replica, holding the column
// families of engine.hpp as named databases, so a replica's data, Percolator state and Raft log
// live and move together, and a write lock never makes one shard wait for another (FACTS.md).
// Owned by one actor; a write must begin and commit on one thread; snapshots are read-only
// LMDB transactions (MDB_NOTLS) usable from any thread.
#pragma once

#include <atomic>
#include <array>

#include "storage/engine.hpp"
#include "storage/lmdb.hpp"

namespace meridian::storage {

// Bumped on any change to how keys or records are laid out on disk.
inline constexpr std::uint32_t format_version = 1;

class lmdb_engine final : public kv_engine {
 public:
  // Opens or creates the partition in `directory`. Fails with format_version_mismatch when the
  // directory was written by another format version, not_a_data_directory when it holds
  // something that is not an LMDB environment, storage_read_only when it cannot be written.
  static result<std::unique_ptr<lmdb_engine>> open(const std::string& directory,
                                                    const lmdb::env_options& options = {});

  result<std::unique_ptr<kv_snapshot>> snapshot() override;
  status write(const kv_write_batch& batch, durability d) override;
  status sync() override;

  const std::string& directory() const { return env_.path(); }
  std::size_t map_bytes() const { return env_.map_bytes(); }
  // Bytes of the data file in use (pages below the last used page).
  std::size_t used_bytes() const;

 private:
  lmdb_engine(lmdb::env e, std::array<MDB_dbi, cf_count> dbs)
      : env_(std::move(e)), dbs_(dbs) {}
  status write_once(const kv_write_batch& batch);
  friend class lmdb_snapshot_access;

  lmdb::env env_;
  std::array<MDB_dbi, cf_count> dbs_;
  std::atomic<int> open_snapshots_{0};
  bool meta_sync_ = true;
};

}  // namespace meridian::storage
