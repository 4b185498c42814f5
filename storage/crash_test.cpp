// Crash durability (DESIGN.md "Durability is a contract"): a child process appends and syncs
// Raft log entries and MVCC batches, telling the parent after each sync what is now durable; the
// parent kills it with SIGKILL at a random moment, reopens the partition, and checks that every
// entry reported durable is there, intact, and that no entry is torn. 50 rounds on one partition.
// (A SIGKILL keeps the page cache, so this proves atomicity and the write path; the simulator's
// power loss, modelled by the memory twin, covers lost fsyncs.)
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "storage/log_store.hpp"
#include "storage/mvcc.hpp"
#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;

namespace {

// Content is a pure function of the index, so any torn or misplaced entry is detected.
std::string payload_for(std::uint64_t index) {
  std::string p = "entry-" + std::to_string(index) + ":";
  p.resize(10 + index % 300, static_cast<char>('a' + index % 26));
  return p;
}

std::string row_key(std::uint64_t n) { return "row-" + std::to_string(n); }
std::string row_value(std::uint64_t n) { return std::string(n % 500, 'r') + std::to_string(n); }

[[noreturn]] void child_writer(const std::string& dir, int report_fd, std::uint64_t seed) {
  auto engine = lmdb_engine::open(dir);
  if (!engine.ok()) std::_Exit(2);
  auto log = log_store::open(**engine);
  if (!log.ok()) std::_Exit(3);
  std::uint64_t applied = 0;
  {
    auto snap = (*engine)->snapshot();
    mvcc_reader r(**snap);
    applied = *r.applied_index();
  }
  std::mt19937_64 rng(seed);
  for (;;) {
    std::vector<log_entry> batch;
    std::uint64_t next = (*log)->last_index() + 1;
    for (std::uint64_t i = 0, n = 1 + rng() % 20; i < n; ++i) {
      batch.push_back(log_entry{1, next + i, 0, payload_for(next + i)});
    }
    (*log)->append(std::move(batch));
    auto durable = (*log)->sync();
    if (!durable.ok()) std::_Exit(4);
    mvcc_batch m;
    ++applied;
    if (!m.put_write(row_key(applied), applied + 1,
                     write_record{write_kind::put, applied, false, row_value(applied)})
             .ok()) {
      std::_Exit(5);
    }
    m.set_applied_index(applied);
    if (!m.commit(**engine, durability::sync).ok()) std::_Exit(6);
    std::string line =
        "L" + std::to_string(*durable) + " M" + std::to_string(applied) + "\n";
    if (write(report_fd, line.data(), line.size()) < 0) std::_Exit(7);
  }
}

}  // namespace

TEST_CASE("crash durability: SIGKILL at random moments loses nothing reported durable") {
  testing::temp_dir dir;
  std::string partition = dir.sub("partition");
  std::uint64_t seed = testing::seed_from_env(1);
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed
               << " ./storage_tests -tc='crash durability*')");
  std::mt19937_64 rng(seed);
  std::uint64_t reported_log = 0, reported_rows = 0;
  for (int round = 0; round < 50; ++round) {
    // The child draws its seed from its copy of rng: the parent's sequence stays as it was.
    auto child = testing::fork_reporting(
        [&](int report_fd) { child_writer(partition, report_fd, rng()); });
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 30000));
    kill(child.pid, SIGKILL);
    int wstatus = 0;
    waitpid(child.pid, &wstatus, 0);
    REQUIRE(WIFSIGNALED(wstatus));  // killed mid-work, not exited with an error code
    std::string reports = testing::read_to_end(child.reports);
    // The last complete line is the newest durable state the child told us about.
    auto end = reports.rfind('\n');
    if (end != std::string::npos) {
      auto start = reports.rfind('\n', end - 1);
      std::string line = reports.substr(start == std::string::npos ? 0 : start + 1, end);
      std::uint64_t l = 0, m = 0;
      REQUIRE(std::sscanf(line.c_str(), "L%lu M%lu", &l, &m) == 2);
      reported_log = std::max(reported_log, l);
      reported_rows = std::max(reported_rows, m);
    }

    auto engine = lmdb_engine::open(partition);
    REQUIRE(engine.ok());
    auto log = log_store::open(**engine);
    REQUIRE(log.ok());  // a torn entry would fail its checksum here
    INFO("round " << round << ": reported durable log " << reported_log << ", rows "
                  << reported_rows);
    REQUIRE((*log)->last_index() >= reported_log);
    auto entries = (*log)->entries(1, (*log)->last_index() + 1, SIZE_MAX);
    REQUIRE(entries.ok());
    REQUIRE(entries->size() == (*log)->last_index());
    for (const auto& e : *entries) REQUIRE(e.data == payload_for(e.index));
    auto snap = (*engine)->snapshot();
    mvcc_reader reader(**snap);
    std::uint64_t applied = *reader.applied_index();
    REQUIRE(applied >= reported_rows);
    for (std::uint64_t r = 1; r <= applied; ++r) {
      auto got = reader.get(row_key(r), read_options{r + 1, {}});
      REQUIRE(got.ok());
      REQUIRE(got->value == row_value(r));
    }
    // Nothing beyond the applied index was half-applied.
    auto beyond = reader.get(row_key(applied + 1), read_options{~0ull >> 1, {}});
    REQUIRE(beyond->outcome == read_result::state::not_found);
  }
  CHECK(reported_log > 0);
}
