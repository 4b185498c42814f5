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
// A deterministic fingerprint of the chosen families' contents: a crc32c over every (family, key,
// value) in order, length-prefixed exactly as export_partition lays them out, plus how many
// entries and bytes it covered. Two replicas that applied the same log agree on it (the
// simulator's convergence check); it reads through one snapshot, so it is consistent.
struct partition_digest {
  std::uint32_t checksum = 0;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  friend bool operator==(const partition_digest& a, const partition_digest& b) {
    return a.checksum == b.checksum && a.entries == b.entries && a.bytes == b.bytes;
  }
  friend bool operator!=(const partition_digest& a, const partition_digest& b) { return !(a == b); }
};
result<partition_digest> digest_partition(kv_engine& engine, const std::vector<cf>& families);

// Replaces the families' contents with `bytes`. storage_corrupt (and nothing written) when the
// bytes are malformed.
status import_partition(kv_engine& engine, std::string_view bytes, const std::vector<cf>& families,
                        durability d);

}  // namespace meridian::storage
