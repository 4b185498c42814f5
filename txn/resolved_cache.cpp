// The resolved-outcome LRU; see resolved_cache.hpp.
#include "txn/resolved_cache.hpp"

#include <string>

namespace meridian::txn {

resolved_cache::resolved_cache(std::size_t capacity) : capacity_(capacity) {
  MERIDIAN_ASSERT(capacity_ > 0, "a resolved cache needs room for one outcome");
}

void resolved_cache::insert(std::uint64_t start_ts, txn_outcome outcome) {
  auto it = entries_.find(start_ts);
  if (it != entries_.end()) {
    MERIDIAN_ASSERT(it->second.outcome == outcome,
                    "transaction " + std::to_string(start_ts) + " resolved two ways");
    order_.splice(order_.begin(), order_, it->second.position);
    return;
  }
  if (entries_.size() == capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(start_ts);
  entries_.emplace(start_ts, entry{outcome, order_.begin()});
}

std::optional<txn_outcome> resolved_cache::find(std::uint64_t start_ts) {
  auto it = entries_.find(start_ts);
  if (it == entries_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second.position);
  return it->second.outcome;
}

}  // namespace meridian::txn
