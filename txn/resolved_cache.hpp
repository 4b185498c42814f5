// The resolved-outcome cache of lock resolution (PROTOCOL.md "Lock resolution" step 2): once a
// transaction's outcome is known, readers that meet its other locks resolve them without asking
// its primary again, so many readers do not storm one primary. A bounded LRU map from start_ts
// to the outcome; owned by one reader-side actor (or one coordinator) and used from its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

#include "txn/outcome.hpp"

namespace meridian::txn {

// Invariant: size() <= capacity(); a start_ts maps to one outcome for ever (outcomes are final).
class resolved_cache {
 public:
  static constexpr std::size_t default_capacity = 16384;

  // REQUIRES: capacity > 0.
  explicit resolved_cache(std::size_t capacity = default_capacity);

  // Records how transaction start_ts ended, evicting the least recently used entry when full.
  // Recording a different outcome for a start_ts already cached is a broken transaction: asserts.
  void insert(std::uint64_t start_ts, txn_outcome outcome);
  // The cached outcome, marking it recently used.
  std::optional<txn_outcome> find(std::uint64_t start_ts);

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using lru_list = std::list<std::uint64_t>;  // most recently used first
  struct entry {
    txn_outcome outcome;
    lru_list::iterator position;
  };
  std::size_t capacity_;
  lru_list order_;
  std::unordered_map<std::uint64_t, entry> entries_;
};

}  // namespace meridian::txn
