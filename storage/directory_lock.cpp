// The data directory lock; see directory_lock.hpp.
#include "storage/directory_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace meridian::storage {

result<std::unique_ptr<directory_lock>> directory_lock::acquire(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return error(errc::storage_io, "cannot create " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int why = errno;
    char holder[32] = {};
    ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (why != EWOULDBLOCK) {
      return error(errc::storage_io, "cannot lock " + path + ": " + std::strerror(why));
    }
    std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return error(errc::data_directory_in_use,
                 "the data directory " + dir + " is in use by another process" +
                     (pid.empty() ? std::string() : " (pid " + pid + ")") +
                     "; stop it, or open another directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return std::unique_ptr<directory_lock>(new directory_lock(fd));
}

directory_lock::~directory_lock() { ::close(fd_); }

}  // namespace meridian::storage
