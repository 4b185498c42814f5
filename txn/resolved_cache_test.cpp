// The resolved-outcome cache (PROTOCOL.md "Lock resolution" step 2): outcomes found by start_ts,
// bounded by capacity with least-recently-used eviction, a lookup refreshing an entry.
#include "txn/resolved_cache.hpp"

#include <doctest/doctest.h>

using namespace meridian::txn;

TEST_CASE("resolved_cache: finds what was inserted and misses what was not") {
  resolved_cache cache(4);
  cache.insert(10, txn_outcome::committed_at(20));
  cache.insert(30, txn_outcome::rolled_back());
  CHECK(cache.find(10) == txn_outcome::committed_at(20));
  CHECK(cache.find(30) == txn_outcome::rolled_back());
  CHECK_FALSE(cache.find(40).has_value());
  cache.insert(10, txn_outcome::committed_at(20));  // the same outcome again is fine
  CHECK(cache.size() == 2);
  CHECK(cache.capacity() == 4);
}

TEST_CASE("resolved_cache: evicts the least recently used outcome at capacity") {
  resolved_cache cache(2);
  cache.insert(1, txn_outcome::rolled_back());
  cache.insert(2, txn_outcome::rolled_back());
  cache.insert(3, txn_outcome::committed_at(9));
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.find(1).has_value());
  CHECK(cache.find(2).has_value());
  CHECK(cache.find(3).has_value());
}

TEST_CASE("resolved_cache: a lookup or a repeated insert makes an outcome recently used") {
  resolved_cache cache(2);
  cache.insert(1, txn_outcome::rolled_back());
  cache.insert(2, txn_outcome::rolled_back());
  CHECK(cache.find(1).has_value());
  cache.insert(3, txn_outcome::rolled_back());  // evicts 2, not 1
  CHECK(cache.find(1).has_value());
  CHECK_FALSE(cache.find(2).has_value());
  cache.insert(3, txn_outcome::rolled_back());
  cache.insert(4, txn_outcome::rolled_back());  // evicts 1: 3 was used last
  CHECK_FALSE(cache.find(1).has_value());
  CHECK(cache.find(3).has_value());
}
