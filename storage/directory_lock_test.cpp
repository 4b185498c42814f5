// The data directory lock: a second opener is refused with the holder's pid, and a holder killed
// with SIGKILL leaves the directory free (the kernel drops the lock with the process).
#include "storage/directory_lock.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/testing.hpp"

using namespace meridian;
using storage::directory_lock;

TEST_CASE("directory lock: a second opener is refused, naming the holder; released on close") {
  storage::testing::temp_dir dir;
  {
    auto first = directory_lock::acquire(dir.sub("data"));
    REQUIRE(first.ok());
    auto second = directory_lock::acquire(dir.sub("data"));
    REQUIRE_FALSE(second.ok());
    CHECK(second.err().code() == errc::data_directory_in_use);
    CHECK(second.err().message().find("pid " + std::to_string(::getpid())) != std::string::npos);
  }
  CHECK(directory_lock::acquire(dir.sub("data")).ok());
}

TEST_CASE("directory lock: a holder killed with SIGKILL leaves the directory free") {
  storage::testing::temp_dir dir;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    auto held = directory_lock::acquire(dir.sub("data"));
    char c = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  REQUIRE(c == 'y');
  auto refused = directory_lock::acquire(dir.sub("data"));
  CHECK(refused.err().code() == errc::data_directory_in_use);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(directory_lock::acquire(dir.sub("data")).ok());
}
