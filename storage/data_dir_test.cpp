// What a data directory was created as (storage/data_dir.hpp): the marker round-trips, a
// foreign marker is not a data directory, the other kind is refused with how to open it; and an
// LMDB store truncated below its last page is refused at open (storage_corrupt), where LMDB
// itself would map past the file's end and die of SIGBUS on the first read.
#include "storage/data_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;

TEST_CASE("data dir: a new directory is uncreated; the marker says which kind it became") {
  testing::temp_dir dir;
  auto none = created_kind(dir.path());
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  REQUIRE(mark_created(dir.path(), data_dir_kind::local).ok());
  auto local = created_kind(dir.path());
  REQUIRE(local.ok());
  CHECK(*local == std::optional<data_dir_kind>(data_dir_kind::local));
  CHECK(expect_kind(dir.path(), *local, data_dir_kind::local).ok());
  auto wrong = expect_kind(dir.path(), *local, data_dir_kind::cluster);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().code() == errc::not_a_data_directory);
  CHECK(wrong.err().message().find("--local --local-dir") != std::string::npos);
  std::ofstream(dir.sub("MERIDIAN")) << "something else\n";
  auto foreign = created_kind(dir.path());
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.err().code() == errc::not_a_data_directory);
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
}
