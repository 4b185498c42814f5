// Restarting the embedded cluster on its data directory brings back every replica it held,
// including those of shards born after it first started: placement splits a table's range off
// into new shards, which only the nodes' data directories know of (the initial directory lists
// the shards the cluster was created with).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "api/embedded.hpp"
#include "storage/testing.hpp"

using namespace meridian;

namespace {

struct running {
  std::unique_ptr<api::embedded_cluster> cluster;
  std::unique_ptr<api::session> session;
};

running start(const std::string& dir) {
  api::embedded_options o;
  o.data_dir = dir;
  o.wan_scale = 0;
  auto c = api::embedded_cluster::start(o);
  REQUIRE(c.ok());
  running r;
  r.cluster = std::move(*c);
  auto s = r.cluster->open_session(r.cluster->datacenters().front());
  REQUIRE(s.ok());
  r.session = std::move(*s);
  return r;
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
