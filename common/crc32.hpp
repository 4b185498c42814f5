// CRC-32C (Castagnoli), table driven, for checksums on stored records (Raft log entries): LMDB
// makes writes atomic, the checksum catches bit rot and bugs that write the wrong bytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace meridian {
std::uint32_t crc32c(std::string_view data, std::uint32_t seed = 0);
}  // namespace meridian
