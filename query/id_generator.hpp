// gen_id(): 63-bit ids unique across the cluster without a central counter and without a hot
// spot. Layout (high to low): 41 bits of milliseconds since 2024-01-01 (taken from the
// transaction's start timestamp, so the simulator stays deterministic), 10 bits of
// per-session salt, 12 bits of per-session sequence. A session issues strictly increasing ids
// (when 4096 ids are used in one millisecond it borrows the next millisecond). Two sessions
// collide only if they share a salt and issue the same sequence in the same millisecond; the
// cluster assigns salts from node and session numbers, and a collision on a key column still
// cannot overwrite a row: INSERT checks the key and fails with sql_duplicate_key.
// Owned by one session; not thread-safe.
#pragma once

#include <cstdint>

namespace meridian::query {

class id_generator {
 public:
  static constexpr std::uint64_t epoch_ms = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
  static constexpr unsigned salt_bits = 10;
  static constexpr unsigned sequence_bits = 12;

  explicit id_generator(std::uint32_t salt) : salt_(salt & ((1u << salt_bits) - 1)) {}

  // REQUIRES: now_ms is a wall-clock millisecond count (Unix epoch).
  std::int64_t next(std::uint64_t now_ms);

 private:
  std::uint32_t salt_;
  std::uint64_t last_ms_ = 0;
  std::uint32_t sequence_ = 0;
};

}  // namespace meridian::query
