// The data directory's creation marker; see data_dir.hpp.
#include "storage/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace meridian::storage {
namespace {

std::string marker_path(const std::string& dir) { return dir + "/MERIDIAN"; }

}  // namespace

const char* to_string(data_dir_kind kind) {
  return kind == data_dir_kind::cluster ? "cluster" : "local";
}

result<std::optional<data_dir_kind>> created_kind(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(marker_path(dir), ec)) return std::optional<data_dir_kind>{};
  std::ifstream in(marker_path(dir));
  if (!in) return error(errc::storage_io, "cannot read " + marker_path(dir));
  std::string first;
  std::getline(in, first);
  if (first == "meridian cluster") return std::optional<data_dir_kind>(data_dir_kind::cluster);
  if (first == "meridian local") return std::optional<data_dir_kind>(data_dir_kind::local);
  return error(errc::not_a_data_directory,
               marker_path(dir) + " does not name a Meridian data directory (first line '" +
                   first.substr(0, 64) + "')");
}

status mark_created(const std::string& dir, data_dir_kind kind) {
  std::string path = marker_path(dir);
  std::string tmp = path + ".tmp";
  std::string text = std::string("meridian ") + to_string(kind) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return error(errc::storage_io, "cannot create " + tmp);
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return error(errc::storage_io, "cannot write " + path);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);  // the rename itself survives a power loss
    ::close(dfd);
  }
  return ok_status();
}

bool store_exists(const std::string& store_dir) {
  std::error_code ec;
  auto size = std::filesystem::file_size(store_dir + "/data.mdb", ec);
  return !ec && size > 0;
}

status expect_kind(const std::string& dir, const std::optional<data_dir_kind>& found,
                   data_dir_kind wanted) {
  if (!found || *found == wanted) return ok_status();
  std::string how = *found == data_dir_kind::local ? "meridian --local --local-dir " + dir
                                                   : "meridian --data " + dir;
  return error(errc::not_a_data_directory,
               dir + " holds a " + to_string(*found) + " database, not a " + to_string(wanted) +
                   " one: open it with `" + how + "`, or choose another directory");
}

}  // namespace meridian::storage
