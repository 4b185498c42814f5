// Test support shared by the storage suites and the layers above: a temporary directory that
// removes itself, and one fixture per engine so that the same doctest cases run against LMDB
// and against the in-memory twin (TEST_CASE_TEMPLATE over engine_fixtures).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "storage/lmdb_engine.hpp"
#include "storage/memory_engine.hpp"

namespace meridian::storage::testing {

class temp_dir {
 public:
  temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "meridian-test-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    MERIDIAN_ASSERT(made != nullptr, "mkdtemp failed");
    path_ = made;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process that reports to its parent through a pipe (the crash and kill tests): `body`
// runs in the child with the pipe's write end and does not return (it exits or is killed).
struct reporting_child {
  pid_t pid = -1;
  int reports = -1;  // the pipe's read end, in the parent
};
inline reporting_child fork_reporting(const std::function<void(int)>& body) {
  int fds[2];
  MERIDIAN_ASSERT(::pipe(fds) == 0, "pipe failed");
  pid_t pid = ::fork();
  MERIDIAN_ASSERT(pid >= 0, "fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    body(fds[1]);
    std::_Exit(1);
  }
  ::close(fds[1]);
  return reporting_child{pid, fds[0]};
}

// A randomized test's seed: $MERIDIAN_SEED (make test rotates it; set it to replay), else
// `fallback`.
inline std::uint64_t seed_from_env(std::uint64_t fallback) {
  const char* env = std::getenv("MERIDIAN_SEED");
  return env ? std::strtoull(env, nullptr, 10) : fallback;
}

// Everything written to `fd` until its writers are gone; closes it.
inline std::string read_to_end(int fd) {
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return all;
}

struct memory_fixture {
  static constexpr const char* name = "memory";
  memory_fixture() : engine_(std::make_unique<memory_engine>()) {}
  kv_engine& engine() { return *engine_; }
  // A clean restart: durable state survives, nothing is lost.
  void restart() { engine_->sync().ok(); }
  // A machine crash: writes not yet durable are lost.
  void lose_power() { engine_->lose_power(); }

 private:
  std::unique_ptr<memory_engine> engine_;
};

struct lmdb_fixture {
  static constexpr const char* name = "lmdb";
  lmdb_fixture() { open(); }
  kv_engine& engine() { return *engine_; }
  void restart() {
    engine_.reset();
    open();
  }
  // A process crash keeps the page cache, so for LMDB this is a restart; the simulator's power
  // loss is modelled by the memory twin.
  void lose_power() { restart(); }

 private:
  void open() {
    auto e = lmdb_engine::open(dir_.sub("partition"));
    MERIDIAN_ASSERT(e.ok(), e.ok() ? "" : e.err().to_string());
    engine_ = std::move(*e);
  }
  temp_dir dir_;
  std::unique_ptr<lmdb_engine> engine_;
};

}  // namespace meridian::storage::testing

// Short fixture names in test names ("...<lmdb>"), when doctest is in use.
#ifdef DOCTEST_VERSION_STR
TYPE_TO_STRING_AS("memory", meridian::storage::testing::memory_fixture);
TYPE_TO_STRING_AS("lmdb", meridian::storage::testing::lmdb_fixture);
#endif
