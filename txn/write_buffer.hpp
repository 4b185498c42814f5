// A transaction's buffered writes (the coordinator side of "writes buffered locally,
// read-your-own-writes"), and the merge of those writes into the pages of a snapshot scan.
// Both the local engine and the distributed coordinator use them, so the two agree on what a
// transaction sees. Pure; owned by one transaction and used on its thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "txn/prewrite.hpp"
#include "txn/transaction.hpp"

namespace meridian::txn {

class write_buffer {
 public:
  // Each checks the key and value limits and the transaction limits (limits::max_txn_keys,
  // max_txn_bytes: txn_too_large). A later write to a key replaces the earlier one; locking a
  // key already written keeps the write (it conflicts the same way).
  status put(std::string key, std::string value);
  status del(std::string key);
  status lock(std::string key);

  // The buffered mutation of `key`, or null.
  const mutation* find(const std::string& key) const;
  // Every mutation in key order.
  std::vector<mutation> mutations() const;
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  const std::map<std::string, mutation>& entries() const { return entries_; }

 private:
  status admit(const std::string& key, std::size_t value_bytes);
  std::map<std::string, mutation> entries_;
  std::size_t bytes_ = 0;
};

// Drives one transactional scan: asks for snapshot pages (next_fetch), takes them (feed), and
// merges the buffered writes of each page's span into the result until `limit` rows are found.
class scan_merger {
 public:
  struct fetch {
    std::string start;
    std::string end;  // empty = unbounded
    std::size_t limit = 0;
  };

  scan_merger(const write_buffer& buffer, std::string start, std::string end, std::size_t limit,
              bool reverse);

  // The snapshot page to read next; nullopt when the result is complete.
  std::optional<fetch> next_fetch() const;
  // REQUIRES: `page` answers the last next_fetch().
  void feed(const scan_page& page);
  bool done() const { return done_; }
  // REQUIRES: done().
  scan_page take() { return std::move(out_); }

 private:
  void emit(const std::string& key, const std::string& value);
  void merge_span(const std::vector<kv_pair>& rows, const std::string& lo, const std::string& hi);

  const write_buffer& buffer_;
  const std::string start_;
  const std::string end_;
  const std::size_t limit_;
  const bool reverse_;
  std::string cursor_;  // forward: next start; reverse: next (exclusive) end
  bool done_ = false;
  scan_page out_;
};

}  // namespace meridian::txn
