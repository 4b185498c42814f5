// What the Percolator actions answer when they fail: txn_error, a catalogue error (code and a
// message naming the key and timestamps) plus the facts a caller acts on (the lock to resolve,
// the newer record that conflicts, the stored min_commit_ts); txn_result<T>, a value or a
// txn_error; and txn_outcome, how a transaction ended. Pure data, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/result.hpp"
#include "storage/mvcc.hpp"

namespace meridian::txn {

struct txn_error {
  txn_error(error e) : cause(std::move(e)) {}  // NOLINT: implicit, storage errors pass through

  errc code() const { return cause.code(); }
  const std::string& message() const { return cause.message(); }
  bool retryable() const { return cause.retryable(); }

  error cause;
  // key_locked and lock_not_resolved: the lock met (resolve it through its primary, then retry).
  std::optional<storage::locked_key> lock;
  // write_conflict: the newer record, by its transaction's start_ts and its commit_ts.
  std::uint64_t conflict_start_ts = 0;
  std::uint64_t conflict_commit_ts = 0;
  // commit_ts_expired: the lock's min_commit_ts (fetch a commit_ts above it and retry).
  std::uint64_t min_commit_ts = 0;
  // txn_already_committed: the commit_ts recorded for the transaction.
  std::uint64_t commit_ts = 0;
};

// A value or a txn_error (result<T> with the richer failure).
template <class T>
class [[nodiscard]] txn_result {
 public:
  txn_result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  txn_result(txn_error e) : state_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  txn_result(error e) : state_(std::in_place_index<1>, txn_error(std::move(e))) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & {
    MERIDIAN_ASSERT(ok(), "value() of a failed txn_result: " + err().cause.to_string());
    return std::get<0>(state_);
  }
  const T& value() const& {
    MERIDIAN_ASSERT(ok(), "value() of a failed txn_result: " + err().cause.to_string());
    return std::get<0>(state_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const txn_error& err() const {
    MERIDIAN_ASSERT(!ok(), "err() of a successful txn_result");
    return std::get<1>(state_);
  }

 private:
  std::variant<T, txn_error> state_;
};

// How a transaction ended, as lock resolution and the resolved cache pass it around.
struct txn_outcome {
  enum class state : std::uint8_t { committed, rolled_back };
  state outcome = state::rolled_back;
  std::uint64_t commit_ts = 0;  // committed only

  static txn_outcome committed_at(std::uint64_t commit_ts) {
    return txn_outcome{state::committed, commit_ts};
  }
  static txn_outcome rolled_back() { return txn_outcome{state::rolled_back, 0}; }
  bool committed() const { return outcome == state::committed; }
  friend bool operator==(const txn_outcome& a, const txn_outcome& b) {
    return a.outcome == b.outcome && a.commit_ts == b.commit_ts;
  }
};

// A key as it appears in a message: printable bytes as they are, others as \xNN, long keys cut
// at 64 bytes (keys are binary: encoded rows and index entries).
std::string printable_key(std::string_view key);

// The errors the actions raise, each with a message naming the key and the timestamps.
txn_error write_conflict(std::string_view key, std::uint64_t start_ts,
                         std::uint64_t conflict_start_ts, std::uint64_t conflict_commit_ts);
txn_error key_locked(std::string_view key, std::uint64_t start_ts, storage::lock_record lock);
txn_error rolled_back(std::string_view key, std::uint64_t start_ts);
txn_error lock_not_found(std::string_view key, std::uint64_t start_ts);
txn_error commit_ts_expired(std::string_view key, std::uint64_t start_ts,
                            std::uint64_t commit_ts, std::uint64_t min_commit_ts);
txn_error already_committed(std::string_view key, std::uint64_t start_ts,
                            std::uint64_t commit_ts);
txn_error txn_too_old(std::string_view key, std::uint64_t start_ts, std::uint64_t safe_point);
error invalid_request(const std::string& why);

}  // namespace meridian::txn
