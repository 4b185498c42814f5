// max_ts and the memory lock table; see concurrency_manager.hpp.
#include "txn/concurrency_manager.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "txn/outcome.hpp"

namespace meridian::txn {

// ---- memory_locks ------------------------------------------------------------------------

memory_locks::memory_locks(concurrency_manager* owner, std::uint64_t guard_id,
                           std::uint64_t start_ts, std::vector<std::string> keys)
    : owner_(owner), guard_id_(guard_id), start_ts_(start_ts), keys_(std::move(keys)) {}

memory_locks::memory_locks(memory_locks&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      guard_id_(other.guard_id_),
      start_ts_(other.start_ts_),
      keys_(std::move(other.keys_)) {}

memory_locks& memory_locks::operator=(memory_locks&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    guard_id_ = other.guard_id_;
    start_ts_ = other.start_ts_;
    keys_ = std::move(other.keys_);
  }
  return *this;
}

memory_locks::~memory_locks() { release(); }

bool memory_locks::holds(std::string_view key) const {
  return owner_ != nullptr && std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

result<std::uint64_t> memory_locks::max_ts() const {
  MERIDIAN_ASSERT(owner_ != nullptr, "max_ts() of released memory locks");
  return owner_->max_ts();
}

void memory_locks::publish(std::string_view key, const storage::lock_record& lock) {
  MERIDIAN_ASSERT(holds(key), "publishing a lock for a key these memory locks do not hold");
  MERIDIAN_ASSERT(lock.start_ts == start_ts_, "a lock's start_ts equals its transaction's");
  owner_->publish(guard_id_, key, lock);
}

void memory_locks::release() {
  if (owner_ == nullptr) return;
  owner_->unlock(guard_id_, keys_);
  owner_ = nullptr;
}

// ---- concurrency_manager -----------------------------------------------------------------

concurrency_manager::concurrency_manager(std::size_t max_memory_locks)
    : max_memory_locks_(max_memory_locks) {}

concurrency_manager::~concurrency_manager() {
  MERIDIAN_ASSERT(table_.empty(), "memory locks outlive their concurrency_manager");
}

void concurrency_manager::initialise_max_ts(std::uint64_t fresh_tso_ts) {
  max_ts_ = std::max(max_ts_, fresh_tso_ts);
  max_ts_ready_ = true;
}

void concurrency_manager::forget_max_ts() { max_ts_ready_ = false; }

result<std::uint64_t> concurrency_manager::max_ts() const {
  if (!max_ts_ready_) {
    return error(errc::not_ready,
                 "max_ts is not set from a fresh TSO timestamp yet: async-commit and one-phase "
                 "prewrites wait");
  }
  return max_ts_;
}

void concurrency_manager::update_max_ts(std::uint64_t ts) { max_ts_ = std::max(max_ts_, ts); }

result<memory_locks> concurrency_manager::lock_keys(std::vector<std::string> keys,
                                                    std::uint64_t start_ts) {
  if (keys.empty()) return error(errc::invalid_argument, "memory locks need at least one key");
  if (table_.size() + keys.size() > max_memory_locks_) {
    return error(errc::limit_exceeded,
                 "more than " + std::to_string(max_memory_locks_) + " memory locks");
  }
  std::set<std::string_view> distinct(keys.begin(), keys.end());
  if (distinct.size() != keys.size()) {
    return error(errc::invalid_argument, "a key appears twice among memory locks");
  }
  for (const auto& key : keys) {
    auto held = table_.find(key);
    if (held != table_.end()) {
      return error(errc::key_locked, "key '" + printable_key(key) +
                                         "' is held by an in-flight command of transaction " +
                                         std::to_string(held->second.start_ts));
    }
  }
  std::uint64_t guard_id = next_guard_id_++;
  for (const auto& key : keys) table_.emplace(key, entry{guard_id, start_ts, std::nullopt});
  return memory_locks(this, guard_id, start_ts, std::move(keys));
}

void concurrency_manager::unlock(std::uint64_t guard_id, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    auto it = table_.find(key);
    MERIDIAN_ASSERT(it != table_.end() && it->second.guard_id == guard_id,
                    "a memory lock was removed by a command that did not insert it");
    table_.erase(it);
  }
}

void concurrency_manager::publish(std::uint64_t guard_id, std::string_view key,
                                  const storage::lock_record& lock) {
  auto it = table_.find(key);
  MERIDIAN_ASSERT(it != table_.end() && it->second.guard_id == guard_id,
                  "publishing into a memory lock of another command");
  it->second.lock = lock;
}

bool concurrency_manager::blocks(const entry& e, std::uint64_t read_ts) {
  // A lock can only commit above its start_ts; with the lock known, the storage read rule
  // decides (lock_only never blocks; min_commit_ts above read_ts cannot commit at or below it).
  if (e.start_ts >= read_ts) return false;
  return !e.lock || storage::lock_blocks_read(*e.lock, read_ts);
}

memory_lock_hit concurrency_manager::hit(const std::string& key, const entry& e) {
  return memory_lock_hit{key, e.start_ts, e.lock};
}

std::optional<memory_lock_hit> concurrency_manager::read_key_check(std::string_view key,
                                                                   std::uint64_t read_ts) {
  update_max_ts(read_ts);  // first: a writer that reads max_ts after this derives above read_ts
  auto it = table_.find(key);
  if (it == table_.end() || !blocks(it->second, read_ts)) return std::nullopt;
  return hit(it->first, it->second);
}

std::optional<memory_lock_hit> concurrency_manager::read_range_check(std::string_view start,
                                                                     std::string_view end,
                                                                     std::uint64_t read_ts) {
  update_max_ts(read_ts);  // first, as in read_key_check
  for (auto it = table_.lower_bound(start); it != table_.end(); ++it) {
    if (!end.empty() && it->first >= end) break;
    if (blocks(it->second, read_ts)) return hit(it->first, it->second);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> concurrency_manager::memory_lock_floor() const {
  std::optional<std::uint64_t> floor;
  for (const auto& [key, e] : table_) {
    bool derived = e.lock && e.lock->use_async_commit;
    std::uint64_t ts = derived ? e.lock->min_commit_ts : e.start_ts;
    floor = floor ? std::min(*floor, ts) : ts;
  }
  return floor;
}

}  // namespace meridian::txn
