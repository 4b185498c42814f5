// Whole-partition copies, for Raft snapshots: export the chosen column families of an engine as
// one byte string, and import such a string in place of what the families held, in one atomic
// write. The copy is as large as the partition (shards split before they grow large); chunked
// transfer is a later refinement. Pure over the engine interface.
#pragma once

#include <string>
#include <vector>

#include "storage/engine.hpp"

namespace meridian::storage {

// The families a replica's state machine owns (everything but the Raft log and hard state).
const std::vector<cf>& state_machine_families();

result<std::string> export_partition(kv_engine& engine, const std::vector<cf>& families);
// Replaces the families' contents with `bytes`. storage_corrupt (and nothing written) when the
// bytes are malformed.
status import_partition(kv_engine& engine, std::string_view bytes, const std::vector<cf>& families,
                        durability d);

}  // namespace meridian::storage
