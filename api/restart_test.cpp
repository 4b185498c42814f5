// Restarting the embedded cluster on its data directory brings back every replica it held,
// including those of shards born after it first started: placement splits a table's range off
// into new shards, which only the nodes' data directories know of (the initial directory lists
// the shards the cluster was created with). A store lost from a directory created before is
// refused, in the cluster and in a local database, rather than re-created empty.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/embedded.hpp"
#include "storage/testing.hpp"

using namespace meridian;

namespace {

struct running {
  std::unique_ptr<api::embedded_cluster> cluster;
  std::unique_ptr<api::session> session;
};

api::embedded_options options_for(const std::string& dir) {
  api::embedded_options o;
  o.data_dir = dir;
  o.wan_scale = 0;
  return o;
}

running start(const api::embedded_options& o) {
  auto c = api::embedded_cluster::start(o);
  REQUIRE(c.ok());
  running r;
  r.cluster = std::move(*c);
  auto s = r.cluster->open_session(r.cluster->datacenters().front());
  REQUIRE(s.ok());
  r.session = std::move(*s);
  return r;
}

running start(const std::string& dir) { return start(options_for(dir)); }

// The error a start on `dir` fails with (it must fail).
error start_refused(const std::string& dir) {
  auto c = api::embedded_cluster::start(options_for(dir));
  REQUIRE_FALSE(c.ok());
  return c.err();
}

}  // namespace

TEST_CASE("embedded cluster: shards split off by placement serve again after a restart") {
  storage::testing::temp_dir dir;
  {
    auto r = start(dir.path());
    REQUIRE(r.session->execute("CREATE TABLE placed (id BIGINT PRIMARY KEY, v TEXT)").ok());
    REQUIRE(r.session->execute("INSERT INTO placed VALUES (1, 'a')").ok());
    REQUIRE(r.session->execute("ALTER TABLE placed SET leader_dc = 'eu-west'").ok());
    REQUIRE(r.session->execute("INSERT INTO placed VALUES (2, 'b')").ok());
  }
  auto r = start(dir.path());
  // The new shards elect leaders again; a read gets through well before the statement's own
  // retries would give up.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto rows = r.session->execute("SELECT id FROM placed ORDER BY id");
    if (rows.ok()) {
      REQUIRE(rows->rows.size() == 2);
      CHECK(std::get<std::int64_t>(rows->rows[0].at(0)) == 1);
      CHECK(std::get<std::int64_t>(rows->rows[1].at(0)) == 2);
      break;
    }
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, rows.err().to_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

TEST_CASE("embedded cluster: a replica store lost from a cluster created before is refused") {
  // Two of shard 1's three replicas deleted: started empty they would be a majority with no data,
  // elect a leader and overwrite the survivor. The start fails instead, naming what is missing.
  storage::testing::temp_dir dir;
  {
    auto r = start(dir.path());
    REQUIRE(r.session->execute("CREATE TABLE kept (id BIGINT PRIMARY KEY)").ok());
  }
  for (const char* node : {"node-1", "node-2"}) {
    std::filesystem::remove_all(dir.path() + "/" + node + "/shard-1");
  }
  error again = start_refused(dir.path());
  CHECK(again.code() == errc::storage_corrupt);
  CHECK(again.message().find("shard 1") != std::string::npos);
  // A local database in the directory is refused too, naming how to open what is there.
  auto local = api::open_local_session(dir.path());
  REQUIRE_FALSE(local.ok());
  CHECK(local.err().code() == errc::not_a_data_directory);
}

TEST_CASE("embedded cluster: a lost replica of a shard split off after the first start is refused") {
  // A split's new shards are not in the initial directory: each node lists the stores it keeps
  // (node-N/STORES), so deleting two of a split shard's three replicas is noticed at start as
  // it is for the initial shards, instead of the shard silently losing its majority.
  storage::testing::temp_dir dir;
  {
    auto r = start(dir.path());
    REQUIRE(r.session->execute("CREATE TABLE placed (id BIGINT PRIMARY KEY)").ok());
    REQUIRE(r.session->execute("INSERT INTO placed VALUES (1)").ok());
    REQUIRE(r.session->execute("ALTER TABLE placed SET leader_dc = 'eu-west'").ok());
  }
  std::string split_off;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/node-1")) {
    std::string name = e.path().filename().string();
    if (name.rfind("shard-", 0) == 0 && std::stoul(name.substr(6)) > 2) split_off = name;
  }
  REQUIRE_MESSAGE(!split_off.empty(), "placement split no shard off");
  for (const char* node : {"node-1", "node-2"}) {
    std::filesystem::remove_all(dir.path() + "/" + node + "/" + split_off);
  }
  error again = start_refused(dir.path());
  CHECK(again.code() == errc::storage_corrupt);
  CHECK(again.message().find("shard " + split_off.substr(6)) != std::string::npos);
}

TEST_CASE("embedded cluster: with leader_dc and home_dc_column, rows homed nowhere follow leader_dc") {
  // Rows whose key names a datacenter are led from it; the rest of the table (here the range
  // before the first datacenter's rows) from leader_dc, which ALTER TABLE moves.
  storage::testing::temp_dir dir;
  auto r = start(dir.path());
  REQUIRE(r.session->execute("CREATE TABLE t (region TEXT, id BIGINT, PRIMARY KEY (region, id)) "
                             "WITH (leader_dc = 'ap-south', home_dc_column = region)").ok());
  auto preferred_at_table_start = [&]() -> std::string {
    auto info = r.session->cluster();
    REQUIRE(info.ok());
    for (const auto& shard : info->shards) {
      if (shard.start_key == "/t") return shard.preferred_dc;
    }
    return "no shard starts the table";
  };
  CHECK(preferred_at_table_start() == "ap-south");
  REQUIRE(r.session->execute("ALTER TABLE t SET leader_dc = 'eu-west'").ok());
  CHECK(preferred_at_table_start() == "eu-west");
}

TEST_CASE("embedded cluster: a placed table left unplaced (killed after its DDL) is placed at start") {
  // Placement runs after the CREATE commits: a process killed in between left the table split
  // in part or not at all, for good. The next start finishes every placed table's placement.
  storage::testing::temp_dir dir;
  auto shards_of_table = [](api::session& s) {
    auto info = s.cluster();
    REQUIRE(info.ok());
    std::size_t n = 0;
    for (const auto& shard : info->shards) n += shard.start_key.rfind("/orders", 0) == 0 ? 1 : 0;
    return n;
  };
  {
    auto o = options_for(dir.path());
    o.skip_placement = true;
    auto unplaced = start(o);
    REQUIRE(unplaced.session->execute("CREATE TABLE orders (region TEXT, id BIGINT, "
                                      "PRIMARY KEY (region, id)) WITH (home_dc_column = region)")
                .ok());
    CHECK(shards_of_table(*unplaced.session) == 0);
  }
  auto r = start(dir.path());
  CHECK(shards_of_table(*r.session) >= 3);  // one per datacenter's rows, at least
  auto info = r.session->cluster();
  REQUIRE(info.ok());
  for (const auto& shard : info->shards) {
    if (shard.start_key == "/orders/'eu-west'") CHECK(shard.preferred_dc == "eu-west");
  }
}

TEST_CASE("local database: a store lost from a database created before is refused") {
  storage::testing::temp_dir dir;
  {
    auto s = api::open_local_session(dir.path());
    REQUIRE(s.ok());
    REQUIRE((*s)->execute("CREATE TABLE kept (id BIGINT PRIMARY KEY)").ok());
  }
  // Its header pages overwritten: damage (E2005), not "not a data directory".
  {
    std::fstream f(dir.path() + "/partition/data.mdb", std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto overwritten = api::open_local_session(dir.path());
  REQUIRE_FALSE(overwritten.ok());
  CHECK(overwritten.err().code() == errc::storage_corrupt);
  CHECK(overwritten.err().message().find("damaged") != std::string::npos);
  std::filesystem::resize_file(dir.path() + "/partition/data.mdb", 0);
  auto reopened = api::open_local_session(dir.path());
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.err().code() == errc::storage_corrupt);
}

TEST_CASE("embedded cluster: \\fault on a node already in that state says so") {
  storage::testing::temp_dir dir;
  auto r = start(dir.path());
  using kind = api::fault_request::kind;
  auto again = r.session->fault(api::fault_request{kind::restart_node, "1"});
  REQUIRE_FALSE(again.ok());
  CHECK(again.err().message().find("already running") != std::string::npos);
  REQUIRE(r.session->fault(api::fault_request{kind::crash_node, "3"}).ok());
  auto twice = r.session->fault(api::fault_request{kind::crash_node, "3"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.err().message().find("already down") != std::string::npos);
  CHECK(r.session->fault(api::fault_request{kind::restart_node, "3"}).ok());
  CHECK_FALSE(r.session->fault(api::fault_request{kind::crash_node, "3x"}).ok());
}

TEST_CASE("embedded cluster: isolating one datacenter marks only that one isolated") {
  storage::testing::temp_dir dir;
  auto r = start(dir.path());
  REQUIRE(r.session->fault(api::fault_request{api::fault_request::kind::isolate_dc, "eu-west"}).ok());
  auto info = r.session->cluster();
  REQUIRE(info.ok());
  for (const auto& d : info->dcs) {
    CAPTURE(d.name);
    CHECK(d.reachable == (d.name != "eu-west"));
  }
}
