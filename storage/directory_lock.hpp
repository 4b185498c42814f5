// One process per data directory. Two processes running the same nodes over the same storage
// would be two Raft members with one identity, and lose acknowledged writes; so whoever opens a
// data directory first holds it (flock on DIR/LOCK, which records its pid) until it exits. The
// kernel lets go of the lock when the process ends in any way, SIGKILL included, so a crash
// never leaves the directory locked.
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"

namespace meridian::storage {

class directory_lock {
 public:
  // Creates `dir` if needed. data_directory_in_use (naming the holder's pid) when another
  // process holds it; storage_io when the lock file cannot be created.
  static result<std::unique_ptr<directory_lock>> acquire(const std::string& dir);
  ~directory_lock();
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;

 private:
  explicit directory_lock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace meridian::storage
