// The self-contained local database; see local_database.hpp.
#include "query/local_database.hpp"

#include <cstdlib>
#include <filesystem>

#include "storage/data_dir.hpp"
#include "storage/lmdb_engine.hpp"
#include "storage/memory_engine.hpp"

namespace meridian::query {

result<std::unique_ptr<local_database>> local_database::open(storage_kind kind) {
  std::unique_ptr<local_database> db(new local_database());
  if (kind == storage_kind::memory) {
    db->storage_ = std::make_unique<storage::memory_engine>();
  } else {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "meridian-sql-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return error(errc::storage_io, "mkdtemp failed for " + pattern);
    }
    db->directory_ = pattern;
    auto lmdb = storage::lmdb_engine::open(db->directory_ + "/partition");
    if (!lmdb) return lmdb.err();
    db->storage_ = std::move(*lmdb);
  }
  auto engine = txn::local_engine::open(*db->storage_);
  if (!engine) return engine.err();
  db->engine_ = std::move(*engine);
  return db;
}

result<std::unique_ptr<local_database>> local_database::open_at(const std::string& directory) {
  std::unique_ptr<local_database> db(new local_database());
  MERIDIAN_TRY(storage::refuse_nested(directory));
  auto lock = storage::directory_lock::acquire(directory);
  if (!lock) return lock.err();
  db->lock_ = std::move(*lock);
  // A database created here before whose store is gone was lost: opening it empty would hide
  // that (storage::data_dir).
  auto state = storage::read_data_dir(directory);
  if (!state) return state.err();
  MERIDIAN_TRY(storage::expect_kind(directory, *state, storage::data_dir_kind::local));
  const std::string store = directory + "/partition";
  bool created = state->has_value() && (*state)->complete;
  if (created && !storage::store_exists(store)) {
    return error(errc::storage_corrupt,
                 "the database created in " + directory + " has lost its store (" + store +
                     "/data.mdb is missing or empty). Restore it from a backup, or choose an "
                     "empty --local-dir for a new database");
  }
  if (!created) MERIDIAN_TRY(storage::mark_creating(directory, storage::data_dir_kind::local));
  auto lmdb = storage::lmdb_engine::open(store);
  if (!lmdb) return created ? storage::store_open_error(store, lmdb.err()) : lmdb.err();
  db->storage_ = std::move(*lmdb);
  auto engine = txn::local_engine::open(*db->storage_);
  if (!engine) return engine.err();
  db->engine_ = std::move(*engine);
  if (!created) MERIDIAN_TRY(storage::mark_created(directory, storage::data_dir_kind::local));
  return db;
}

local_database::~local_database() {
  engine_.reset();
  storage_.reset();
  if (!directory_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(directory_, ec);
  }
}

}  // namespace meridian::query
