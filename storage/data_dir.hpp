// What a data directory was created as. The first start writes DIR/MERIDIAN before it creates
// any store ("meridian cluster creating", or "local") and again once every store exists
// ("meridian cluster"). From then on a store found missing or empty was lost (deleted, truncated
// to nothing, a half-restored backup), not yet made: opening one empty would start a new, empty
// replica or database in its place, and a majority of new empty replicas would elect a leader
// and overwrite the survivors. So the caller refuses instead. A start killed while creating
// leaves "creating": the next start finishes the creation. A directory without the marker
// (written before it existed) is read from its layout: partition/ is a local database's,
// node-N/shard-M/ a cluster's.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/result.hpp"

namespace meridian::storage {

enum class data_dir_kind { cluster, local };

const char* to_string(data_dir_kind kind);

struct data_dir_state {
  data_dir_kind kind = data_dir_kind::cluster;
  bool complete = true;  // every store was created (false: a first start was cut short)
};

// What DIR holds; nullopt for a new (or empty) directory. storage_io when the marker cannot be
// read; not_a_data_directory when it names neither kind, or the layout holds both.
result<std::optional<data_dir_state>> read_data_dir(const std::string& dir);
// Refuses (not_a_data_directory, naming the database to open instead) a directory that is not
// a database itself but lies inside one — a cluster's node-1/, a local database's partition/ —
// where opening would create a second, empty database in the first's files. Before anything is
// written there (the directory lock included).
status refuse_nested(const std::string& dir);

// Records (durably) that DIR's stores are being created, or that they all exist.
// REQUIRES: DIR exists.
status mark_creating(const std::string& dir, data_dir_kind kind);
status mark_created(const std::string& dir, data_dir_kind kind);

// Whether the LMDB store at `store_dir` holds a data file with content.
bool store_exists(const std::string& store_dir);

// The stores a cluster node keeps, listed in NODE_DIR/STORES (one name a line, e.g. "shard-7").
// A store is listed once it holds a replica's first state and unlisted before it is removed, so
// one listed but found missing or empty was lost, as above; this covers the stores a node gains
// after the first start (a split's new shards, replicas moved there), which the initial
// directory does not name. A missing list is empty; a damaged one is storage_corrupt.
result<std::set<std::string>> read_store_list(const std::string& node_dir);
// Add or remove one name, durably; nothing is written when the list already agrees.
status record_store(const std::string& node_dir, const std::string& store);
status forget_store(const std::string& node_dir, const std::string& store);

// What opening a store of a directory created before failed with, as the user should read it:
// a data file LMDB does not recognize there (its header pages overwritten) is damage, not a
// foreign directory, so not_a_data_directory becomes storage_corrupt naming the store.
error store_open_error(const std::string& store_dir, error cause);

// not_a_data_directory when DIR holds the other kind (naming how to open it).
status expect_kind(const std::string& dir, const std::optional<data_dir_state>& found,
                   data_dir_kind wanted);

}  // namespace meridian::storage
