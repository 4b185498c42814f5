// The data directory's creation marker; see data_dir.hpp.
#include "storage/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace meridian::storage {
namespace {

std::string marker_path(const std::string& dir) { return dir + "/MERIDIAN"; }

// Replaces the marker in one durable step (a temporary file renamed over it).
status write_marker(const std::string& dir, const std::string& text) {
  std::string path = marker_path(dir);
  std::string tmp = path + ".tmp";
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

// What a directory without a marker holds, from its layout.
result<std::optional<data_dir_state>> from_layout(const std::string& dir) {
  bool local = store_exists(dir + "/partition");
  bool cluster = false;
  std::error_code ec;
  for (const auto& node : std::filesystem::directory_iterator(dir, ec)) {
    if (node.path().filename().string().rfind("node-", 0) != 0) continue;
    std::error_code inner;
    for (const auto& shard : std::filesystem::directory_iterator(node.path(), inner)) {
      cluster = cluster || store_exists(shard.path().string());
    }
  }
  if (local && cluster) {
    return error(errc::not_a_data_directory,
                 dir + " holds both a local database (partition/) and a cluster's replicas "
                       "(node-*/): it is not one Meridian data directory");
  }
  if (!local && !cluster) return std::optional<data_dir_state>{};
  return std::optional<data_dir_state>(
      data_dir_state{local ? data_dir_kind::local : data_dir_kind::cluster, true});
}

}  // namespace

const char* to_string(data_dir_kind kind) {
  return kind == data_dir_kind::cluster ? "cluster" : "local";
}

result<std::optional<data_dir_state>> read_data_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(marker_path(dir), ec)) return from_layout(dir);
  std::ifstream in(marker_path(dir));
  if (!in) return error(errc::storage_io, "cannot read " + marker_path(dir));
  std::string first;
  std::getline(in, first);
  for (auto kind : {data_dir_kind::cluster, data_dir_kind::local}) {
    std::string name = std::string("meridian ") + to_string(kind);
    if (first == name) return std::optional<data_dir_state>(data_dir_state{kind, true});
    if (first == name + " creating") {
      return std::optional<data_dir_state>(data_dir_state{kind, false});
    }
  }
  return error(errc::not_a_data_directory,
               marker_path(dir) + " does not name a Meridian data directory (first line '" +
                   first.substr(0, 64) + "')");
}

status mark_creating(const std::string& dir, data_dir_kind kind) {
  return write_marker(dir, std::string("meridian ") + to_string(kind) + " creating\n");
}

status mark_created(const std::string& dir, data_dir_kind kind) {
  return write_marker(dir, std::string("meridian ") + to_string(kind) + "\n");
}

bool store_exists(const std::string& store_dir) {
  std::error_code ec;
  auto size = std::filesystem::file_size(store_dir + "/data.mdb", ec);
  return !ec && size > 0;
}

status expect_kind(const std::string& dir, const std::optional<data_dir_state>& found,
                   data_dir_kind wanted) {
  if (!found || found->kind == wanted) return ok_status();
  std::string how = found->kind == data_dir_kind::local ? "meridian --local --local-dir " + dir
                                                        : "meridian --data " + dir;
  return error(errc::not_a_data_directory,
               dir + " holds a " + to_string(found->kind) + " database, not a " +
                   to_string(wanted) + " one: open it with `" + how +
                   "`, or choose another directory");
}

}  // namespace meridian::storage
