// Bad input gets a clear error and loses nothing (DESIGN.md "Errors and limits"): a data
// directory holding a file that is not an LMDB environment, a path that is a file, a read-only
// directory, a full map, and a directory written by another format version.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "common/limits.hpp"
#include "storage/lmdb.hpp"
#include "storage/mvcc.hpp"
#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("bad input: a directory holding a non-LMDB file is refused and left untouched") {
  testing::temp_dir dir;
  std::string partition = dir.sub("p");
  REQUIRE(::mkdir(partition.c_str(), 0755) == 0);
  std::string junk(8192, 'x');
  std::ofstream(partition + "/data.mdb", std::ios::binary) << junk;
  auto e = lmdb_engine::open(partition);
  REQUIRE_FALSE(e.ok());
  CHECK(e.err().code() == errc::not_a_data_directory);
  CHECK(e.err().message().find(partition) != std::string::npos);
  CHECK(e.err().message().find("mdb_env_open") != std::string::npos);
  CHECK(read_file(partition + "/data.mdb") == junk);
}

TEST_CASE("bad input: a path that is a regular file is refused") {
  testing::temp_dir dir;
  std::string file = dir.sub("file");
  std::ofstream(file) << "hello";
  auto e = lmdb_engine::open(file);
  REQUIRE_FALSE(e.ok());
  CHECK(e.err().code() == errc::not_a_data_directory);
  CHECK(read_file(file) == "hello");
}

TEST_CASE("bad input: a read-only directory is refused with storage_read_only") {
  testing::temp_dir dir;
  std::string ro = dir.sub("ro");
  REQUIRE(::mkdir(ro.c_str(), 0555) == 0);
  // Root ignores permission bits, so the open runs in a child that drops to an unprivileged
  // user when it is root; the child reports the error code as its exit status.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) std::_Exit(100);
    auto e = lmdb_engine::open(ro + "/partition");
    std::_Exit(e.ok() ? 0 : (e.err().code() == errc::storage_read_only ? 42 : 43));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
}

TEST_CASE("bad input: a full map grows up to its limit, then fails clearly and keeps the data") {
  testing::temp_dir dir;
  std::string partition = dir.sub("p");
  lmdb::env_options small;
  small.initial_map_bytes = 1 << 20;
  small.max_map_bytes = 4 << 20;
  auto e = lmdb_engine::open(partition, small);
  REQUIRE(e.ok());
  std::size_t written = 0;
  status last = ok_status();
  for (int i = 0; i < 10000 && last.ok(); ++i) {
    mvcc_batch b;
    REQUIRE(b.put_data("key-" + std::to_string(i), 1, std::string(4000, 'v')).ok());
    last = b.commit(**e, durability::sync);
    if (last.ok()) ++written;
  }
  REQUIRE_FALSE(last.ok());
  CHECK(last.err().code() == errc::storage_full);
  CHECK(last.err().message().find("size limit") != std::string::npos);
  CHECK((*e)->map_bytes() == small.max_map_bytes);  // it grew before giving up
  CHECK(written > 256);                               // more than the initial map could hold
  e->reset();
  auto reopened = lmdb_engine::open(partition, small);
  REQUIRE(reopened.ok());
  auto snap = (*reopened)->snapshot();
  mvcc_reader r(**snap);
  for (std::size_t i = 0; i < written; ++i) {
    auto v = r.load_data("key-" + std::to_string(i), 1);
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
  }
}

TEST_CASE("bad input: a directory of another format version is refused, never guessed") {
  testing::temp_dir dir;
  std::string partition = dir.sub("p");
  {
    auto e = lmdb_engine::open(partition);
    REQUIRE(e.ok());
    kv_write_batch b;
    b.put(cf::meta, "format_version", std::string("\0\0\0\0\0\0\0\x07", 8));
    REQUIRE((*e)->write(b, durability::sync).ok());
  }
  auto e = lmdb_engine::open(partition);
  REQUIRE_FALSE(e.ok());
  CHECK(e.err().code() == errc::format_version_mismatch);
  CHECK(e.err().message().find("format version 7") != std::string::npos);
}

TEST_CASE("bad input: the largest allowed key fits under LMDB's key limit") {
  testing::temp_dir dir;
  auto e = lmdb_engine::open(dir.sub("p"));
  REQUIRE(e.ok());
  mvcc_batch b;
  std::string key(limits::max_key_bytes, '\0');
  REQUIRE(b.put_write(key, 5, write_record{write_kind::put, 4, false, std::string("v")}).ok());
  REQUIRE(b.put_lock(key, lock_record{}).ok());
  REQUIRE(b.commit(**e, durability::sync).ok());
}

TEST_CASE("bad input: a full disk is storage_full that names the disk, never a map to grow") {
  // ENOSPC once made the engine grow its map to the limit and blame the map size.
  error disk = lmdb::make_error("mdb_txn_commit", ENOSPC, "/data/node-1/shard-2");
  CHECK(disk.code() == errc::storage_full);
  CHECK(disk.message().find("disk is full") != std::string::npos);
  CHECK_FALSE(lmdb::is_map_full(disk));
  error map = lmdb::make_error("mdb_put", MDB_MAP_FULL, "");
  CHECK(map.code() == errc::storage_full);
  CHECK(lmdb::is_map_full(map));
  CHECK_FALSE(lmdb::is_map_full(lmdb::make_error("mdb_txn_commit", EIO, "")));
}
