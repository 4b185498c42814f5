// What a data directory was created as. The first start writes DIR/MERIDIAN ("cluster" or
// "local") once every store it creates exists. From then on a store found missing or empty
// was lost (deleted, truncated to nothing, a half-restored backup), not yet made: opening one
// empty would start a new, empty replica or database in its place, and a majority of new empty
// replicas would elect a leader and overwrite the survivors. So the caller refuses instead.
// Directories from before the marker existed count as created once they hold any store.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"

namespace meridian::storage {

enum class data_dir_kind { cluster, local };

const char* to_string(data_dir_kind kind);

// The kind DIR was created as; nullopt for a new directory. storage_io when the marker cannot
// be read; not_a_data_directory when it names neither kind.
result<std::optional<data_dir_kind>> created_kind(const std::string& dir);

// Records (durably) that DIR's stores exist. REQUIRES: DIR exists.
status mark_created(const std::string& dir, data_dir_kind kind);

// Whether the LMDB store at `store_dir` holds a data file with content.
bool store_exists(const std::string& store_dir);

// not_a_data_directory when DIR was created as the other kind (naming how to open it).
status expect_kind(const std::string& dir, const std::optional<data_dir_kind>& found,
                   data_dir_kind wanted);

}  // namespace meridian::storage
