// The Percolator column families over a kv_engine (PROTOCOL.md "Per-key state in a shard"):
//   lock[key]               -> lock_record
//   data[key, start_ts]     -> value (values longer than limits::short_value_bytes)
//   write[key, commit_ts]   -> write_record (short values inline, as TiKV does)
// plus the applied Raft index in `meta`. Keys are stored as the order-preserving encoding of the
// user key followed by the bit-inverted timestamp, so one key's versions sit together, newest
// first. mvcc_reader answers Percolator reads over a snapshot; mvcc_batch collects the writes of
// one Raft command and commits them atomically with the applied index. Pure logic over the
// engine interface: the same code runs on LMDB and on the in-memory twin.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/engine.hpp"

namespace meridian::storage {

enum class mutation_kind : std::uint8_t { put = 1, del = 2, lock_only = 3 };
enum class write_kind : std::uint8_t { put = 1, del = 2, lock_only = 3, rollback = 4 };

struct lock_record {
  std::string primary;
  std::uint64_t start_ts = 0;
  std::uint64_t ttl_ms = 0;
  mutation_kind kind = mutation_kind::put;
  // The smallest commit_ts this lock may commit at. Classic locks start at start_ts + 1 (a reader
  // may push it); async-commit and one-phase locks derive it from the shard's max_ts.
  std::uint64_t min_commit_ts = 0;
  bool use_async_commit = false;
  // Async commit: the primary's lock lists every secondary key (PROTOCOL.md step 4).
  std::vector<std::string> secondaries;
  // A put's value when it is short (moved into the write record at commit).
  std::optional<std::string> short_value;

  friend bool operator==(const lock_record& a, const lock_record& b);
};

struct write_record {
  write_kind kind = write_kind::put;
  std::uint64_t start_ts = 0;
  // Another transaction's rollback shares this record's commit_ts (PROTOCOL.md).
  bool overlapped_rollback = false;
  std::optional<std::string> short_value;

  friend bool operator==(const write_record& a, const write_record& b);
};

std::string encode_lock(const lock_record& lock);
result<lock_record> decode_lock(std::string_view bytes);
std::string encode_write(const write_record& w);
result<write_record> decode_write(std::string_view bytes);

// Stored key layouts.
std::string lock_key(std::string_view user_key);
std::string version_key(std::string_view user_key, std::uint64_t ts);

// Percolator's read rule (PROTOCOL.md "Reads at read_ts", step 2): does this lock, held by
// another transaction, block a read at read_ts? lock_only locks never change a value, and a lock
// whose min_commit_ts is above read_ts can only commit above it, so neither blocks.
bool lock_blocks_read(const lock_record& lock, std::uint64_t read_ts);

struct locked_key {
  std::string key;
  lock_record lock;
};

// The outcome of a read: a value, not found, or blocked by a lock (with the lock's details).
struct read_result {
  enum class state : std::uint8_t { value, not_found, locked };
  state outcome = state::not_found;
  std::string value;
  std::optional<locked_key> lock;
};

struct scan_result {
  std::vector<std::pair<std::string, std::string>> rows;
  // The scan stopped at this lock; rows before it are complete and valid.
  std::optional<locked_key> blocked;
  // More rows may follow; continue from resume_key (inclusive forward, exclusive reverse).
  bool more = false;
  std::string resume_key;
};

struct read_options {
  std::uint64_t read_ts = 0;
  // Locks of these transactions are known not to affect this read (resolved by the caller, e.g.
  // pushed past read_ts, or rolled back) and are skipped.
  std::vector<std::uint64_t> bypass_locks;
};

struct committed_version {
  std::uint64_t commit_ts = 0;
  write_record record;
};

class mvcc_reader {
 public:
  explicit mvcc_reader(kv_snapshot& snapshot) : snapshot_(snapshot) {}

  result<std::optional<lock_record>> load_lock(std::string_view key);
  // The newest write record of `key` with commit_ts <= ts, of any kind.
  result<std::optional<committed_version>> seek_write(std::string_view key, std::uint64_t ts);
  // Visits the write records of `key` from the newest commit_ts <= max_ts down to min_ts
  // inclusive, while `visit` returns true.
  status visit_writes(std::string_view key, std::uint64_t max_ts, std::uint64_t min_ts,
                      const std::function<bool(const committed_version&)>& visit);
  result<std::optional<std::string>> load_data(std::string_view key, std::uint64_t start_ts);
  // The value a committed put record stands for (inline or from `data`).
  result<std::string> value_of(std::string_view key, const write_record& w);

  // A Percolator snapshot read (PROTOCOL.md "Reads at read_ts", steps 2 and 4).
  result<read_result> get(std::string_view key, const read_options& options);
  // Rows of [start, end) visible at read_ts, in key order (or reverse), at most `limit` rows.
  // An empty `end` means no upper bound.
  result<scan_result> scan(std::string_view start, std::string_view end,
                           const read_options& options, std::size_t limit, bool reverse);

  result<std::uint64_t> applied_index();
  result<std::uint64_t> gc_safe_point();

 private:
  // The newest put or delete at or below read_ts, skipping lock_only and rollback records.
  result<std::optional<committed_version>> visible_version(kv_cursor& writes,
                                                           std::string_view encoded_key,
                                                           std::uint64_t read_ts);
  result<std::optional<locked_key>> blocking_lock(std::string_view key, std::string_view raw_lock,
                                                  const read_options& options);
  status scan_one(kv_cursor& writes, std::string_view encoded_key, const read_options& options,
                  scan_result& out);
  kv_snapshot& snapshot_;
};

// The writes of one command. Checks key and value limits as they are added.
class mvcc_batch {
 public:
  status put_lock(std::string_view key, const lock_record& lock);
  void delete_lock(std::string_view key);
  status put_data(std::string_view key, std::uint64_t start_ts, std::string_view value);
  void delete_data(std::string_view key, std::uint64_t start_ts);
  status put_write(std::string_view key, std::uint64_t commit_ts, const write_record& w);
  void delete_write(std::string_view key, std::uint64_t commit_ts);
  void set_applied_index(std::uint64_t index);
  void set_gc_safe_point(std::uint64_t ts);

  const kv_write_batch& kv() const { return batch_; }
  kv_write_batch& kv() { return batch_; }
  bool empty() const { return batch_.empty(); }
  // Commits atomically: every write of the batch and the applied index, or none of them.
  status commit(kv_engine& engine, durability d) const { return engine.write(batch_, d); }

 private:
  kv_write_batch batch_;
};

// Adds the applied Raft index to a raw batch (what mvcc_batch::set_applied_index does).
void put_applied_index(kv_write_batch& batch, std::uint64_t index);

// Checks a user key and value against limits (key_too_large, value_too_large).
status check_key(std::string_view key);
status check_value(std::string_view value);

}  // namespace meridian::storage
