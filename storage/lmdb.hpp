// Move-only RAII wrappers over the LMDB C API (the lmdb++ style): an environment, a transaction
// whose destructor aborts, a cursor, and named databases. This header and lmdb.cpp are the only
// places in Meridian that call LMDB. Every LMDB failure becomes a Meridian error naming the call.
// Thread rules (FACTS.md): environments are opened with MDB_NOTLS so read transactions may be
// used from any actor thread; a write transaction must begin and commit on the same thread.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace meridian::storage::lmdb {

// Maps an LMDB or errno return code of `call` to a Meridian error (errc::storage_io,
// storage_full, storage_corrupt, not_a_data_directory, storage_read_only...).
error make_error(const char* call, int rc, std::string_view context);
// The error is LMDB's MDB_MAP_FULL: the map, not the disk, is full, and growing it may help.
bool is_map_full(const error& e);

inline MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view to_view(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

struct env_options {
  std::size_t initial_map_bytes = std::size_t{64} << 20;
  std::size_t max_map_bytes = std::size_t{64} << 30;
  unsigned max_databases = 8;
  unsigned max_readers = 256;
};

class env {
 public:
  // Opens (creating when missing) the environment in directory `path`.
  static result<env> open(const std::string& path, const env_options& options);

  env(env&& other) noexcept : handle_(other.handle_), map_bytes_(other.map_bytes_),
                              max_map_bytes_(other.max_map_bytes_), path_(std::move(other.path_)) {
    other.handle_ = nullptr;
  }
  env& operator=(env&& other) noexcept;
  env(const env&) = delete;
  env& operator=(const env&) = delete;
  ~env();

  MDB_env* get() const { return handle_; }
  const std::string& path() const { return path_; }
  std::size_t map_bytes() const { return map_bytes_; }
  // Doubles the map up to the configured maximum. REQUIRES: no transaction of this process is
  // open on the environment. Fails with storage_full when already at the maximum.
  status grow_map();
  // Sets or clears MDB_NOMETASYNC for the next commits (see engine.hpp's durability).
  status set_meta_sync(bool on);

 private:
  env(MDB_env* handle, std::size_t map_bytes, std::size_t max_map_bytes, std::string path)
      : handle_(handle), map_bytes_(map_bytes), max_map_bytes_(max_map_bytes),
        path_(std::move(path)) {}
  MDB_env* handle_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::size_t max_map_bytes_ = 0;
  std::string path_;
};

class txn {
 public:
  static result<txn> begin(const env& e, bool read_only);

  txn(txn&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  txn& operator=(txn&& other) noexcept;
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  ~txn() { abort(); }

  MDB_txn* get() const { return handle_; }
  status commit();
  void abort();

  // "Not found" is a value (nullopt), not an error. The view lives as long as the transaction.
  result<std::optional<std::string_view>> get(MDB_dbi db, std::string_view key) const;
  // Returns MDB_MAP_FULL as errc::storage_full so the caller can grow the map and retry.
  status put(MDB_dbi db, std::string_view key, std::string_view value);
  // Deleting a missing key is not an error.
  status del(MDB_dbi db, std::string_view key);

 private:
  explicit txn(MDB_txn* handle) : handle_(handle) {}
  MDB_txn* handle_ = nullptr;
};

// Opens (or with `create`, creates) the named database inside a write or read transaction.
result<MDB_dbi> open_database(const txn& t, const char* name, bool create);

class cursor {
 public:
  static result<cursor> open(const txn& t, MDB_dbi db);

  cursor(cursor&& other) noexcept
      : handle_(other.handle_), valid_(other.valid_), key_(other.key_), value_(other.value_) {
    other.handle_ = nullptr;
  }
  cursor& operator=(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor();

  // Positions at the first key >= `key`.
  status seek(std::string_view key);
  // Positions at the last key <= `key`.
  status seek_for_prev(std::string_view key);
  status first();
  status last();
  status next();
  status prev();
  bool valid() const { return valid_; }
  std::string_view key() const { return to_view(key_); }
  std::string_view value() const { return to_view(value_); }

 private:
  explicit cursor(MDB_cursor* handle) : handle_(handle) {}
  status move(MDB_cursor_op op, std::string_view seek_key = {});
  MDB_cursor* handle_ = nullptr;
  bool valid_ = false;
  MDB_val key_{0, nullptr};
  MDB_val value_{0, nullptr};
};

}  // namespace meridian::storage::lmdb
