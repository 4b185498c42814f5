// What a data directory was created as (storage/data_dir.hpp): the marker round-trips, a
// foreign marker is not a data directory, the other kind is refused with how to open it; and an
// LMDB store truncated below its last page is refused at open (storage_corrupt), where LMDB
// itself would map past the file's end and die of SIGBUS on the first read.
#include "storage/data_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;

TEST_CASE("data dir: a new directory is uncreated; the marker says which kind it became") {
  testing::temp_dir dir;
  auto none = read_data_dir(dir.path());
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  REQUIRE(mark_creating(dir.path(), data_dir_kind::local).ok());
  auto creating = read_data_dir(dir.path());
  REQUIRE(creating.ok());
  REQUIRE(creating->has_value());
  CHECK((*creating)->kind == data_dir_kind::local);
  CHECK_FALSE((*creating)->complete);  // a first start cut short: the next one finishes it
  REQUIRE(mark_created(dir.path(), data_dir_kind::local).ok());
  auto local = read_data_dir(dir.path());
  REQUIRE(local.ok());
  CHECK((*local)->complete);
  CHECK(expect_kind(dir.path(), *local, data_dir_kind::local).ok());
  auto wrong = expect_kind(dir.path(), *local, data_dir_kind::cluster);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().code() == errc::not_a_data_directory);
  CHECK(wrong.err().message().find("--local --local-dir") != std::string::npos);
  std::ofstream(dir.sub("MERIDIAN")) << "something else\n";
  auto foreign = read_data_dir(dir.path());
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.err().code() == errc::not_a_data_directory);
}

TEST_CASE("data dir: a directory inside a database is refused before anything is written") {
  // --local-dir pointed at a cluster's node-1/ once made a second, empty database there.
  testing::temp_dir dir;
  REQUIRE(refuse_nested(dir.path()).ok());  // a fresh directory
  REQUIRE(mark_created(dir.path(), data_dir_kind::cluster).ok());
  REQUIRE(refuse_nested(dir.path()).ok());  // the database itself
  std::string node = dir.sub("node-1");
  std::filesystem::create_directories(node + "/deeper");
  for (const std::string& inside : {node, node + "/deeper", node + "/not-yet"}) {
    auto r = refuse_nested(inside);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code() == errc::not_a_data_directory);
    CHECK(r.err().message().find("--data " + std::filesystem::absolute(dir.path()).string()) !=
          std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(node + "/not-yet"));
}

TEST_CASE("data dir: without a marker the layout says which kind a directory holds") {
  testing::temp_dir dir;
  std::filesystem::create_directories(dir.sub("c/node-1"));
  std::filesystem::create_directories(dir.sub("l"));
  REQUIRE(lmdb_engine::open(dir.sub("c/node-1/shard-0")).ok());
  auto cluster = read_data_dir(dir.sub("c"));
  REQUIRE(cluster.ok());
  REQUIRE(cluster->has_value());
  CHECK((*cluster)->kind == data_dir_kind::cluster);
  CHECK_FALSE(expect_kind(dir.sub("c"), *cluster, data_dir_kind::local).ok());
  REQUIRE(lmdb_engine::open(dir.sub("l/partition")).ok());
  auto local = read_data_dir(dir.sub("l"));
  REQUIRE(local.ok());
  CHECK((*local)->kind == data_dir_kind::local);
  REQUIRE(lmdb_engine::open(dir.sub("c/partition")).ok());
  CHECK_FALSE(read_data_dir(dir.sub("c")).ok());  // both layouts in one directory
}

TEST_CASE("data dir: a store exists only with a non-empty data file") {
  testing::temp_dir dir;
  CHECK_FALSE(store_exists(dir.sub("store")));
  {
    auto e = lmdb_engine::open(dir.sub("store"));
    REQUIRE(e.ok());
  }
  CHECK(store_exists(dir.sub("store")));
  std::filesystem::resize_file(dir.sub("store") + "/data.mdb", 0);
  CHECK_FALSE(store_exists(dir.sub("store")));
}

TEST_CASE("lmdb: a data file truncated below its last page is refused, not mapped") {
  testing::temp_dir dir;
  {
    auto e = lmdb_engine::open(dir.sub("store"));
    REQUIRE(e.ok());
    kv_write_batch b;
    for (int i = 0; i < 2000; ++i) b.put(cf::data, "key-" + std::to_string(i), std::string(100, 'v'));
    REQUIRE((*e)->write(b, durability::sync).ok());
  }
  auto size = std::filesystem::file_size(dir.sub("store") + "/data.mdb");
  REQUIRE(size > 3 * 4096);
  std::filesystem::resize_file(dir.sub("store") + "/data.mdb", size / 2);
  auto reopened = lmdb_engine::open(dir.sub("store"));
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.err().code() == errc::storage_corrupt);
  CHECK(reopened.err().message().find("truncated") != std::string::npos);
  for (std::uintmax_t cut : {std::uintmax_t{4096}, std::uintmax_t{100}}) {  // inside the meta pages
    std::filesystem::resize_file(dir.sub("store") + "/data.mdb", cut);
    auto short_file = lmdb_engine::open(dir.sub("store"));
    REQUIRE_FALSE(short_file.ok());
    CHECK(short_file.err().code() == errc::storage_corrupt);
  }
}

TEST_CASE("data dir: a node's store list records and forgets stores durably; damage is refused") {
  testing::temp_dir dir;
  auto empty = read_store_list(dir.path());
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  REQUIRE(record_store(dir.path(), "shard-7").ok());
  REQUIRE(record_store(dir.path(), "shard-1").ok());
  REQUIRE(record_store(dir.path(), "shard-7").ok());
  auto two = read_store_list(dir.path());
  REQUIRE(two.ok());
  CHECK(*two == std::set<std::string>{"shard-1", "shard-7"});
  REQUIRE(forget_store(dir.path(), "shard-7").ok());
  REQUIRE(forget_store(dir.path(), "shard-9").ok());
  auto one = read_store_list(dir.path());
  REQUIRE(one.ok());
  CHECK(*one == std::set<std::string>{"shard-1"});
  std::ofstream(dir.sub("STORES"), std::ios::app) << "../../etc\n";
  auto damaged = read_store_list(dir.path());
  REQUIRE_FALSE(damaged.ok());
  CHECK(damaged.err().code() == errc::storage_corrupt);
}
