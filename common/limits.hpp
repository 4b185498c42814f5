// Every hard limit of Meridian lives here, in one place, with the reason for its value. Each is
// checked at the edge where data enters (storage, transaction buffer, SQL front end) and breaking
// one is a clear error (errc::key_too_large, value_too_large, txn_too_large, limit_exceeded...).
#pragma once

#include <cstddef>
#include <cstdint>

namespace meridian::limits {

// LMDB's compiled-in maximum key size is 511 bytes. A stored MVCC key is the user key in the
// order-preserving byte encoding (at most 9/8 of the input plus 9 bytes) followed by an 8-byte
// timestamp, so 400 bytes of user key always fit: 400 * 9 / 8 + 9 + 8 = 467 <= 511.
inline constexpr std::size_t max_key_bytes = 400;

// A single value (a row, a raw KV value). Large enough for any reasonable row; small enough that
// one value never dominates a Raft batch or a snapshot chunk.
inline constexpr std::size_t max_value_bytes = 1 << 20;

// Values up to this size are stored inside the write record (one lookup per read instead of two,
// as TiKV does with "short values"); larger ones live in the data column family.
inline constexpr std::size_t short_value_bytes = 255;

// A lock may list at most this many secondaries (async commit stores them all in the primary's
// lock record, so the bound keeps that record small).
inline constexpr std::size_t max_async_commit_keys = 256;

// Keys one Percolator command may carry. A command becomes one Raft entry; this bounds its size
// together with max_value_bytes.
inline constexpr std::size_t max_keys_per_command = 4096;

// The longest lock TTL a prewrite or a heartbeat may ask for. A transaction alive longer than
// this can no longer protect its locks from resolution; an hour bounds how long a crashed
// coordinator's locks can block readers.
inline constexpr std::uint64_t max_lock_ttl_ms = 3'600'000;

// A transaction's buffered writes: keys and bytes (keys + values). Past either, put/delete fail
// with txn_too_large: the buffer lives in the coordinator's memory until commit, and every key
// becomes a lock to resolve if the coordinator crashes.
inline constexpr std::size_t max_txn_keys = 65'536;
inline constexpr std::size_t max_txn_bytes = 64 << 20;

}  // namespace meridian::limits
