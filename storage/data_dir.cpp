// The data directory's creation marker; see data_dir.hpp.
#include "storage/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace meridian::storage {
namespace {

std::string marker_path(const std::string& dir) { return dir + "/MERIDIAN"; }

// Replaces DIR/NAME with TEXT in one durable step: a temporary file, synced, renamed over it,
// then the directory synced so that the rename itself survives a power loss.
status write_durably(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
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
  bool synced = dfd >= 0 && ::fsync(dfd) == 0;
  if (dfd >= 0) ::close(dfd);
  if (!synced) return error(errc::storage_io, "cannot sync the directory " + dir + " after writing " + path);
  return ok_status();
}

status write_marker(const std::string& dir, const std::string& text) {
  return write_durably(dir, "MERIDIAN", text);
}

std::string store_list_path(const std::string& node_dir) { return node_dir + "/STORES"; }

status write_store_list(const std::string& node_dir, const std::set<std::string>& stores) {
  std::string text;
  for (const auto& s : stores) text += s + "\n";
  return write_durably(node_dir, "STORES", text);
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

status refuse_nested(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(marker_path(dir), ec)) return ok_status();  // a database itself
  if (store_exists(dir)) {
    return error(errc::not_a_data_directory,
                 dir + " is a store inside a Meridian data directory, not a data directory: open "
                       "the directory that holds it");
  }
  auto path = std::filesystem::absolute(dir, ec);
  if (ec) return ok_status();
  for (auto p = path.parent_path(); !p.empty() && p != p.parent_path(); p = p.parent_path()) {
    if (std::filesystem::exists(p / "MERIDIAN", ec)) {
      return error(errc::not_a_data_directory,
                   dir + " lies inside the Meridian data directory " + p.string() +
                       ": open that one (meridian --data " + p.string() + ", or --local-dir " +
                       p.string() + " for a local database)");
    }
  }
  return ok_status();
}

result<std::optional<data_dir_state>> read_data_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(marker_path(dir), ec)) {
    return from_layout(dir);
  }
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

result<std::set<std::string>> read_store_list(const std::string& node_dir) {
  std::set<std::string> stores;
  std::error_code ec;
  if (!std::filesystem::exists(store_list_path(node_dir), ec)) return stores;
  std::ifstream in(store_list_path(node_dir));
  if (!in) return error(errc::storage_io, "cannot read " + store_list_path(node_dir));
  for (std::string line; std::getline(in, line);) {
    bool plain = !line.empty() && line.size() <= 64 &&
                 line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (!plain) {
      return error(errc::storage_corrupt, store_list_path(node_dir) + " is damaged (line '" +
                                              line.substr(0, 64) + "' names no store)");
    }
    stores.insert(line);
  }
  return stores;
}

status record_store(const std::string& node_dir, const std::string& store) {
  auto stores = read_store_list(node_dir);
  if (!stores) return stores.err();
  if (!stores->insert(store).second) return ok_status();
  return write_store_list(node_dir, *stores);
}

status forget_store(const std::string& node_dir, const std::string& store) {
  auto stores = read_store_list(node_dir);
  if (!stores) return stores.err();
  if (stores->erase(store) == 0) return ok_status();
  return write_store_list(node_dir, *stores);
}

error store_open_error(const std::string& store_dir, error cause) {
  if (cause.code() != errc::not_a_data_directory) return cause;
  return error(errc::storage_corrupt,
               "the store at " + store_dir + " is damaged: its data file is no longer a valid "
               "LMDB environment (" + cause.message() + "). Restore it from a backup");
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
