// LMDB wrappers; see lmdb.hpp. Error mapping is the one place LMDB codes become Meridian errors.
#include "storage/lmdb.hpp"

#include <unistd.h>

#include <cstring>
#include <fstream>

#include <cerrno>
#include <sys/stat.h>

namespace meridian::storage::lmdb {

error make_error(const char* call, int rc, std::string_view context) {
  std::string where = std::string(call) + (context.empty() ? "" : " on " + std::string(context));
  std::string detail = where + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
      return error(errc::storage_full, detail);
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return error(errc::not_a_data_directory,
                   detail + " (the directory holds a file that is not an LMDB environment)");
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
      return error(errc::storage_corrupt, detail);
    case EACCES:
    case EROFS:
    case EPERM:
      return error(errc::storage_read_only, detail + " (check the directory's permissions)");
    case ENOTDIR:
      return error(errc::not_a_data_directory, detail + " (the path is not a directory)");
    case MDB_BAD_VALSIZE:
      return error(errc::key_too_large, detail);
    case ENOSPC:
    case EDQUOT:
      return error(errc::storage_full, detail + " (the disk is full: free space before writing again)");
    case EIO:
      return error(errc::storage_io, detail + " (the disk failed a write: it may be full or failing)");
    default:
      return error(errc::storage_io, detail);
  }
}

bool is_map_full(const error& e) {
  return e.code() == errc::storage_full &&
         e.message().find(mdb_strerror(MDB_MAP_FULL)) != std::string::npos;
}

namespace {

// An LMDB data file begins with a meta page: a 16-byte page header, then the magic 0xBEEFC0DE.
// (A file that does not is simply not LMDB's, which LMDB itself reports.)
bool starts_like_lmdb(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char head[20] = {};
  if (!in.read(reinterpret_cast<char*>(head), sizeof head)) return false;
  std::uint32_t magic = 0;
  std::memcpy(&magic, head + 16, sizeof magic);
  return magic == 0xBEEFC0DEu;
}

error truncated(const std::string& file, off_t size, const std::string& shorter_than) {
  return error(errc::storage_corrupt, file + " is " + std::to_string(size) +
                                          " bytes, shorter than " + shorter_than +
                                          ": the file was truncated. Restore it from a backup");
}

}  // namespace

result<env> env::open(const std::string& path, const env_options& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (::mkdir(path.c_str(), 0755) != 0) return make_error("mkdir", errno, path);
  } else if (!S_ISDIR(st.st_mode)) {
    return make_error("stat", ENOTDIR, path);
  }
  // A data file shorter than LMDB's two meta pages was cut short (LMDB would call it "not an
  // LMDB file"); a longer one is checked against its last page after opening.
  struct stat existing {};
  std::string data_file = path + "/data.mdb";
  long page_bytes = ::sysconf(_SC_PAGESIZE);
  if (::stat(data_file.c_str(), &existing) == 0 && existing.st_size > 0 &&
      existing.st_size < 2 * page_bytes && starts_like_lmdb(data_file)) {
    return truncated(data_file, existing.st_size, "its two meta pages");
  }
  MDB_env* handle = nullptr;
  if (int rc = mdb_env_create(&handle); rc != 0) return make_error("mdb_env_create", rc, path);
  auto fail = [&](const char* call, int rc) {
    mdb_env_close(handle);
    return make_error(call, rc, path);
  };
  if (int rc = mdb_env_set_maxdbs(handle, options.max_databases); rc != 0) {
    return fail("mdb_env_set_maxdbs", rc);
  }
  if (int rc = mdb_env_set_maxreaders(handle, options.max_readers); rc != 0) {
    return fail("mdb_env_set_maxreaders", rc);
  }
  if (int rc = mdb_env_set_mapsize(handle, options.initial_map_bytes); rc != 0) {
    return fail("mdb_env_set_mapsize", rc);
  }
  if (int rc = mdb_env_open(handle, path.c_str(), MDB_NOTLS | MDB_NORDAHEAD, 0644); rc != 0) {
    return fail("mdb_env_open", rc);
  }
  // An existing environment may already be larger than the initial size: LMDB adopts the file's.
  MDB_envinfo info{};
  mdb_env_info(handle, &info);
  // A data file shorter than the pages its meta page says are in use was truncated (a copy cut
  // short, a full disk): LMDB would map past its end and die of SIGBUS on the first read there.
  MDB_stat page{};
  mdb_env_stat(handle, &page);
  struct stat data {};
  auto needed = static_cast<off_t>((info.me_last_pgno + 1) * std::uint64_t{page.ms_psize});
  if (::stat(data_file.c_str(), &data) == 0 && data.st_size < needed) {
    mdb_env_close(handle);
    return truncated(data_file, data.st_size, "the " + std::to_string(needed) + " its last page needs");
  }
  return env(handle, info.me_mapsize, std::max(options.max_map_bytes, info.me_mapsize), path);
}

env& env::operator=(env&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) mdb_env_close(handle_);
    handle_ = other.handle_;
    map_bytes_ = other.map_bytes_;
    max_map_bytes_ = other.max_map_bytes_;
    path_ = std::move(other.path_);
    other.handle_ = nullptr;
  }
  return *this;
}

env::~env() {
  if (handle_ != nullptr) mdb_env_close(handle_);
}

status env::grow_map() {
  if (map_bytes_ >= max_map_bytes_) {
    return error(errc::storage_full, "the partition at " + path_ + " reached its size limit of " +
                                         std::to_string(max_map_bytes_ >> 20) +
                                         " MiB (raise the storage map limit or split the shard)");
  }
  std::size_t next = std::min(map_bytes_ * 2, max_map_bytes_);
  if (int rc = mdb_env_set_mapsize(handle_, next); rc != 0) {
    return make_error("mdb_env_set_mapsize", rc, path_);
  }
  map_bytes_ = next;
  return ok_status();
}

status env::set_meta_sync(bool on) {
  if (int rc = mdb_env_set_flags(handle_, MDB_NOMETASYNC, on ? 0 : 1); rc != 0) {
    return make_error("mdb_env_set_flags", rc, path_);
  }
  return ok_status();
}

result<txn> txn::begin(const env& e, bool read_only) {
  MDB_txn* handle = nullptr;
  if (int rc = mdb_txn_begin(e.get(), nullptr, read_only ? MDB_RDONLY : 0, &handle); rc != 0) {
    return make_error("mdb_txn_begin", rc, e.path());
  }
  return txn(handle);
}

txn& txn::operator=(txn&& other) noexcept {
  if (this != &other) {
    abort();
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

status txn::commit() {
  MERIDIAN_ASSERT(handle_ != nullptr, "commit of a finished transaction");
  int rc = mdb_txn_commit(handle_);
  handle_ = nullptr;  // LMDB frees the handle whether or not the commit succeeded.
  if (rc != 0) return make_error("mdb_txn_commit", rc, "");
  return ok_status();
}

void txn::abort() {
  if (handle_ != nullptr) {
    mdb_txn_abort(handle_);
    handle_ = nullptr;
  }
}

result<std::optional<std::string_view>> txn::get(MDB_dbi db, std::string_view key) const {
  if (key.empty()) return std::optional<std::string_view>{};  // LMDB stores no empty key
  MDB_val k = to_val(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(handle_, db, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc != 0) return make_error("mdb_get", rc, "");
  return std::optional<std::string_view>{to_view(v)};
}

status txn::put(MDB_dbi db, std::string_view key, std::string_view value) {
  if (key.empty()) return error(errc::invalid_argument, "mdb_put: LMDB cannot store an empty key");
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(handle_, db, &k, &v, 0); rc != 0) return make_error("mdb_put", rc, "");
  return ok_status();
}

status txn::del(MDB_dbi db, std::string_view key) {
  if (key.empty()) return ok_status();
  MDB_val k = to_val(key);
  int rc = mdb_del(handle_, db, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return make_error("mdb_del", rc, "");
  return ok_status();
}

result<MDB_dbi> open_database(const txn& t, const char* name, bool create) {
  MDB_dbi db = 0;
  if (int rc = mdb_dbi_open(t.get(), name, create ? MDB_CREATE : 0, &db); rc != 0) {
    return make_error("mdb_dbi_open", rc, name);
  }
  return db;
}

result<cursor> cursor::open(const txn& t, MDB_dbi db) {
  MDB_cursor* handle = nullptr;
  if (int rc = mdb_cursor_open(t.get(), db, &handle); rc != 0) {
    return make_error("mdb_cursor_open", rc, "");
  }
  return cursor(handle);
}

cursor& cursor::operator=(cursor&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) mdb_cursor_close(handle_);
    handle_ = other.handle_;
    valid_ = other.valid_;
    key_ = other.key_;
    value_ = other.value_;
    other.handle_ = nullptr;
  }
  return *this;
}

cursor::~cursor() {
  if (handle_ != nullptr) mdb_cursor_close(handle_);
}

status cursor::move(MDB_cursor_op op, std::string_view seek_key) {
  if (op == MDB_SET_RANGE) key_ = to_val(seek_key);
  int rc = mdb_cursor_get(handle_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) {
    valid_ = false;
    return ok_status();
  }
  if (rc != 0) {
    valid_ = false;
    return make_error("mdb_cursor_get", rc, "");
  }
  valid_ = true;
  return ok_status();
}

// LMDB refuses zero-length keys (MDB_BAD_VALSIZE); every key is >= the empty key, so seeking to it
// means the first key.
status cursor::seek(std::string_view key) {
  return key.empty() ? move(MDB_FIRST) : move(MDB_SET_RANGE, key);
}

status cursor::seek_for_prev(std::string_view key) {
  if (key.empty()) {
    valid_ = false;  // no stored key is <= the empty key
    return ok_status();
  }
  MERIDIAN_TRY(move(MDB_SET_RANGE, key));
  if (!valid_) return move(MDB_LAST);
  if (this->key() == key) return ok_status();
  return move(MDB_PREV);
}

status cursor::first() { return move(MDB_FIRST); }
status cursor::last() { return move(MDB_LAST); }
status cursor::next() { return valid_ ? move(MDB_NEXT) : ok_status(); }
status cursor::prev() { return valid_ ? move(MDB_PREV) : ok_status(); }

}  // namespace meridian::storage::lmdb
