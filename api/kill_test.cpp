// Durability of the whole write path (DESIGN.md "Durability is a contract"): a child process runs
// the embedded three-datacenter cluster on LMDB and inserts rows, telling the parent each row it
// was told is committed; the parent kills it with SIGKILL at a random moment, and a second child
// restarts the cluster on the same directory and lists the rows. Every row acknowledged before
// the kill must be there. This covers what runs on other threads than the replica's own: writes
// on the persister threads, answers sent before the applying write lands, reads served while a
// write runs. (A SIGKILL keeps the page cache, so lost fsyncs are the simulator's to test.)
// The parent never starts threads itself: each cluster lives in a child of its own.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "api/embedded.hpp"
#include "storage/testing.hpp"

using namespace meridian;

namespace {

constexpr const char* table_ddl = "CREATE TABLE acked (id BIGINT PRIMARY KEY, v TEXT)";

void write_line(int fd, const std::string& line) {
  std::string out = line + "\n";
  const char* p = out.data();
  std::size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) _exit(3);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::unique_ptr<api::session> open(const std::string& dir,
                                   std::unique_ptr<api::embedded_cluster>& cluster) {
  api::embedded_options o;
  o.data_dir = dir;
  o.wan_scale = 0;
  auto c = api::embedded_cluster::start(o);
  if (!c) _exit(2);
  cluster = std::move(*c);
  auto s = cluster->open_session(cluster->datacenters().front());
  if (!s) _exit(2);
  return std::move(*s);
}

// Inserts rows first_id, first_id + 1, ... until killed; reports each acknowledged id.
[[noreturn]] void child_writer(const std::string& dir, int fd, std::int64_t first_id) {
  std::unique_ptr<api::embedded_cluster> cluster;
  auto s = open(dir, cluster);
  (void)s->execute(table_ddl);  // fails harmlessly once the table exists
  for (std::int64_t id = first_id;; ++id) {
    auto r = s->execute("INSERT INTO acked VALUES (" + std::to_string(id) + ", 'v')");
    if (r) write_line(fd, std::to_string(id));
  }
}

// Restarts the cluster and reports every id in the table, then "done".
[[noreturn]] void child_reader(const std::string& dir, int fd) {
  std::unique_ptr<api::embedded_cluster> cluster;
  auto s = open(dir, cluster);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto r = s->execute("SELECT id FROM acked");
    if (r) {
      for (const auto& row : r->rows) {
        const auto* id = std::get_if<std::int64_t>(&row.at(0));
        write_line(fd, id ? std::to_string(*id) : "unexpected " + debug_string(row.at(0)));
      }
      write_line(fd, "done");
      cluster.reset();
      _exit(0);
    }
    if (std::chrono::steady_clock::now() > deadline) _exit(4);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::vector<std::string> read_lines(int fd) {
  std::vector<std::string> lines;
  std::istringstream in(storage::testing::read_to_end(fd));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("embedded cluster: every commit acknowledged before a SIGKILL is there after restart") {
  storage::testing::temp_dir dir;
  std::string data = dir.sub("data");
  std::uint64_t seed = storage::testing::seed_from_env(1);
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed
               << " ./api/api_tests -tc='embedded cluster: every commit*')");
  std::mt19937_64 rng(seed);
  std::set<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    auto first_id = static_cast<std::int64_t>(round) * 1'000'000;
    auto writer = storage::testing::fork_reporting(
        [&](int fd) { child_writer(data, fd, first_id); });
    std::this_thread::sleep_for(std::chrono::milliseconds(2500 + rng() % 2000));
    kill(writer.pid, SIGKILL);
    int wstatus = 0;
    waitpid(writer.pid, &wstatus, 0);
    REQUIRE(WIFSIGNALED(wstatus));  // killed mid-work, not exited with an error code
    std::size_t before = acknowledged.size();
    for (auto& id : read_lines(writer.reports)) acknowledged.insert(id);
    INFO("round " << round << ": " << acknowledged.size() - before << " rows acknowledged");

    auto reader = storage::testing::fork_reporting([&](int fd) { child_reader(data, fd); });
    auto lines = read_lines(reader.reports);
    waitpid(reader.pid, &wstatus, 0);
    REQUIRE(WIFEXITED(wstatus));
    REQUIRE(WEXITSTATUS(wstatus) == 0);
    REQUIRE(!lines.empty());
    REQUIRE(lines.back() == "done");
    std::set<std::string> found(lines.begin(), lines.end() - 1);
    for (const auto& id : acknowledged) {
      INFO("row " << id);
      CHECK(found.count(id) == 1);
    }
  }
  CHECK(acknowledged.size() > 0);
}
