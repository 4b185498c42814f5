// The shard leader's in-memory state for async commit and one-phase commit (PROTOCOL.md "max_ts
// and memory locks"): max_ts, the largest timestamp any read on this leader has used, and the
// memory lock table, which holds a key from the moment a writer computes its lock's
// min_commit_ts until that lock is applied. The replica actor owns one per shard it leads and
// uses it only from its own thread; nothing here is persisted (a new leader starts over).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "storage/mvcc.hpp"

namespace meridian::txn {

class concurrency_manager;

// The memory locks of one command, held until it is destroyed or released: after the command's
// locks were applied, or when the command failed or was dropped. Move-only.
// REQUIRES: destroyed (or released) before its concurrency_manager.
class memory_locks {
 public:
  memory_locks(memory_locks&& other) noexcept;
  memory_locks& operator=(memory_locks&& other) noexcept;
  memory_locks(const memory_locks&) = delete;
  memory_locks& operator=(const memory_locks&) = delete;
  ~memory_locks();

  std::uint64_t start_ts() const { return start_ts_; }
  const std::vector<std::string>& keys() const { return keys_; }
  bool holds(std::string_view key) const;

  // The shard's max_ts, read now. The only way a writer gets max_ts, so it is always read after
  // the keys were inserted (PROTOCOL.md: "a writer inserts its memory lock first and reads
  // max_ts after"). Errors: not_ready until the leader has set max_ts from a fresh TSO timestamp.
  result<std::uint64_t> max_ts() const;

  // Makes the lock a key will carry visible to readers (its min_commit_ts decides whether it
  // blocks them). REQUIRES: holds(key), lock.start_ts == start_ts(), not released.
  void publish(std::string_view key, const storage::lock_record& lock);

  // Removes the memory locks now. Idempotent.
  void release();

 private:
  friend class concurrency_manager;
  memory_locks(concurrency_manager* owner, std::uint64_t guard_id, std::uint64_t start_ts,
               std::vector<std::string> keys);

  concurrency_manager* owner_ = nullptr;
  std::uint64_t guard_id_ = 0;
  std::uint64_t start_ts_ = 0;
  std::vector<std::string> keys_;
};

// A memory lock that blocks a read.
struct memory_lock_hit {
  std::string key;
  std::uint64_t start_ts = 0;
  // The lock being proposed, once its writer published it. Absent: its min_commit_ts is not
  // known yet, so it blocks every read above its start_ts; the reader backs off and retries
  // (the lock is applied, or dropped, within one Raft round).
  std::optional<storage::lock_record> lock;
};

class concurrency_manager {
 public:
  // Memory locks held at once across all commands (each key of an in-flight async or 1PC
  // command holds one).
  static constexpr std::size_t default_max_memory_locks = 65536;

  explicit concurrency_manager(std::size_t max_memory_locks = default_max_memory_locks);
  concurrency_manager(const concurrency_manager&) = delete;
  concurrency_manager& operator=(const concurrency_manager&) = delete;
  // REQUIRES: every memory_locks released.
  ~concurrency_manager();

  // PROTOCOL.md: a new leader (and both halves of a split, and a replica that becomes leader
  // after a merge or transfer) first sets max_ts from a fresh TSO timestamp. Raises, never
  // lowers: reads this leader already served stay covered.
  void initialise_max_ts(std::uint64_t fresh_tso_ts);
  // Leadership lost: max_ts is uninitialised again until the next initialise_max_ts().
  void forget_max_ts();
  bool max_ts_ready() const { return max_ts_ready_; }
  // Errors: not_ready while uninitialised.
  result<std::uint64_t> max_ts() const;
  // Raises max_ts to ts (a read at ts, or a safe_ts about to be published). Takes effect even
  // while uninitialised, so that no read is forgotten.
  void update_max_ts(std::uint64_t ts);

  // Inserts a memory lock for each key, for transaction start_ts. Errors: key_locked if another
  // command holds one of the keys (retry after it finishes; nothing is inserted),
  // limit_exceeded past max_memory_locks, invalid_argument for no keys or a key twice.
  result<memory_locks> lock_keys(std::vector<std::string> keys, std::uint64_t start_ts);

  // The read side (PROTOCOL.md "Reads at read_ts" steps 1 and 3, and the read-index path):
  // raises max_ts to read_ts FIRST, then looks for a memory lock that blocks a read at read_ts
  // (start_ts < read_ts, and, once published, a lock that storage::lock_blocks_read says blocks).
  std::optional<memory_lock_hit> read_key_check(std::string_view key, std::uint64_t read_ts);
  // The same for the keys of [start, end) (empty end: no bound); returns the first blocking one.
  std::optional<memory_lock_hit> read_range_check(std::string_view start, std::string_view end,
                                                  std::uint64_t read_ts);

  // For publishing safe_ts (PROTOCOL.md "Stale reads"): a safe_ts must stay below this, the
  // smallest min_commit_ts of a published async or one-phase memory lock and the start_ts of
  // any other. Absent when no memory lock is held.
  std::optional<std::uint64_t> memory_lock_floor() const;
  std::size_t memory_lock_count() const { return table_.size(); }

 private:
  friend class memory_locks;
  struct entry {
    std::uint64_t guard_id = 0;
    std::uint64_t start_ts = 0;
    std::optional<storage::lock_record> lock;
  };
  static bool blocks(const entry& e, std::uint64_t read_ts);
  static memory_lock_hit hit(const std::string& key, const entry& e);
  void unlock(std::uint64_t guard_id, const std::vector<std::string>& keys);
  void publish(std::uint64_t guard_id, std::string_view key, const storage::lock_record& lock);

  std::size_t max_memory_locks_;
  std::uint64_t max_ts_ = 0;
  bool max_ts_ready_ = false;
  std::uint64_t next_guard_id_ = 1;
  std::map<std::string, entry, std::less<>> table_;
};

}  // namespace meridian::txn
