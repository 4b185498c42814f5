// The seam between SQL and transactions (DESIGN.md): one small asynchronous interface that both
// the local single-node engine (query/local_engine) and the distributed Percolator coordinator
// implement, so the same SQL and the same tests run on both. Every call completes through a
// callback and never blocks: a blocking call inside an actor would deadlock CAF's
// single-threaded test scheduler, and SQL must run inside the simulator too. Callbacks run on
// the implementation's thread (inline for the local engine, the coordinator's actor otherwise).
// `blocking_transaction` wraps a transaction for tools and simple tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace meridian::txn {

// What a transaction (or a statement) paid in round trips: the ledger every statement reports
// (PROTOCOL.md "Round trips"). Only rounds the client waited on count: commit records written in
// the background after the answer (secondaries, async commit) are not in it.
struct ledger {
  std::uint32_t tso_round_trips = 0;
  std::uint32_t read_round_trips = 0;   // reads answered by a shard leader (or after read-index)
  std::uint32_t local_reads = 0;        // stale reads served by a replica in the reader's dc
  std::uint32_t prewrite_rounds = 0;    // parallel prewrite rounds (one per attempt)
  std::uint32_t commit_rounds = 0;      // rounds that wrote commit records (1PC counts here)
  std::uint32_t lock_resolutions = 0;   // foreign locks met and resolved
  std::uint32_t retries = 0;            // requests retried (not leader, not ready, back-off)
  double wan_ms = 0;                    // simulated or estimated time spent waiting on the network
  std::string commit_path;              // "one-phase", "async-commit", "classic", "read-only"

  void add(const ledger& other);
  std::uint32_t total_round_trips() const {
    return tso_round_trips + read_round_trips + prewrite_rounds + commit_rounds;
  }
  std::string to_string() const;
};

enum class commit_mode : std::uint8_t {
  automatic,     // one-phase when every key lives in one shard, else async commit when small
  classic,       // always two-phase (prewrite, then commit the primary)
  async_commit,  // async commit when the transaction is small enough, else classic
};

struct begin_options {
  // Read at exactly this timestamp (a read-only snapshot, e.g. AS OF SYSTEM TIME).
  std::optional<std::uint64_t> read_ts;
  // Read at now minus this bound; the nearest replica that has caught up serves the reads.
  std::optional<std::uint64_t> staleness_ms;
  commit_mode mode = commit_mode::automatic;
  bool read_only = false;
  // When given, a begin or a read still waiting once it is set (on a shard or the timestamp
  // oracle that does not answer: up to a request deadline) fails with errc::cancelled soon after
  // (a statement's Ctrl-C). A commit is never cut short, but with `cancel_commit` its caller is
  // released at once with errc::outcome_unknown while it goes on. The flag must outlive the
  // transaction.
  const std::atomic<bool>* cancel = nullptr;
  // False for a caller that must learn the commit's outcome whatever happens (a schema change,
  // whose next step depends on it): the commit is then not raced against `cancel`.
  bool cancel_commit = true;
};

struct kv_pair {
  std::string key;
  std::string value;
  friend bool operator==(const kv_pair& a, const kv_pair& b) {
    return a.key == b.key && a.value == b.value;
  }
};

struct scan_page {
  std::vector<kv_pair> rows;
  bool more = false;        // more rows may follow
  std::string resume_key;   // forward: the next start (inclusive); reverse: the next end (exclusive)
};

struct unit {};

template <class T>
using callback = std::function<void(result<T>)>;

class transaction {
 public:
  virtual ~transaction() = default;

  virtual std::uint64_t start_ts() const = 0;

  // Reads see this transaction's own buffered writes (read-your-own-writes), then the snapshot
  // at start_ts.
  virtual void get(std::string key, callback<std::optional<std::string>> done) = 0;
  virtual void batch_get(std::vector<std::string> keys,
                         callback<std::vector<std::optional<std::string>>> done) = 0;
  // Rows of [start, end) (empty end = unbounded), at most `limit`, in key order or reverse,
  // merged with this transaction's own buffered writes.
  virtual void scan(std::string start, std::string end, std::size_t limit, bool reverse,
                    callback<scan_page> done) = 0;

  // Buffered until commit. Fail at once when a limit is broken (key_too_large,
  // value_too_large, txn_too_large) or the transaction is read-only or finished.
  virtual status put(std::string key, std::string value) = 0;
  virtual status del(std::string key) = 0;
  // SELECT ... FOR UPDATE: the keys become lock-only mutations, so commit fails with
  // write_conflict if another transaction wrote one of them after start_ts (prevents write skew).
  virtual status lock_keys(std::vector<std::string> keys) = 0;

  // Commit fails with write_conflict when another transaction committed a put or delete of `key`
  // after this transaction's start_ts (checked at commit_ts, without locking the key, so
  // transactions validating the same key do not conflict with each other). SQL validates a
  // table's schema descriptor this way, so DML that began under an older schema never commits
  // after a schema change (an index being built never loses entries).
  virtual status validate_unchanged(std::string key) = 0;

  // Commits; the callback receives the commit timestamp (0 for a transaction that wrote nothing).
  virtual void commit(callback<std::uint64_t> done) = 0;
  virtual void rollback(callback<unit> done) = 0;

  virtual const ledger& round_trips() const = 0;
};

class transaction_engine {
 public:
  virtual ~transaction_engine() = default;
  virtual void begin(begin_options options, callback<std::unique_ptr<transaction>> done) = 0;
};

// Blocking wrappers for tools and simple tests. REQUIRES: the implementation completes its
// callbacks on another thread or inline; never call these from inside an actor.
result<std::unique_ptr<transaction>> begin_blocking(transaction_engine& engine,
                                                    begin_options options = {});

class blocking_transaction {
 public:
  explicit blocking_transaction(std::unique_ptr<transaction> t) : txn_(std::move(t)) {}
  transaction& async() { return *txn_; }
  std::uint64_t start_ts() const { return txn_->start_ts(); }
  result<std::optional<std::string>> get(const std::string& key);
  result<std::vector<std::optional<std::string>>> batch_get(std::vector<std::string> keys);
  result<scan_page> scan(const std::string& start, const std::string& end, std::size_t limit,
                         bool reverse = false);
  status put(std::string key, std::string value) { return txn_->put(std::move(key), std::move(value)); }
  status del(std::string key) { return txn_->del(std::move(key)); }
  status lock_keys(std::vector<std::string> keys) { return txn_->lock_keys(std::move(keys)); }
  status validate_unchanged(std::string key) { return txn_->validate_unchanged(std::move(key)); }
  result<std::uint64_t> commit();
  status rollback();

 private:
  std::unique_ptr<transaction> txn_;
};

}  // namespace meridian::txn
