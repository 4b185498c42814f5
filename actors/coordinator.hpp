// The transaction coordinator: Percolator's client side over a cluster (PROTOCOL.md "The commit
// path" and "Lock resolution"). Reads at start_ts with read-your-own-writes, foreign locks
// resolved through their primary (outcomes cached so many readers ask once), and commit by
// one-phase commit (one shard), async commit (small transactions) or classic two-phase commit.
// It talks to the cluster only through cluster_io, so the same logic runs under the actors in
// real time and in the deterministic simulator. Every call and callback happens on the io's
// thread (the coordinator actor's).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/topology.hpp"
#include "storage/mvcc.hpp"
#include "txn/active_set.hpp"
#include "txn/resolved_cache.hpp"
#include "txn/transaction.hpp"

namespace meridian::actors {

// Where a key lives, as the router last learned it.
struct route {
  shard_id shard = 0;
  std::uint64_t epoch = 0;
  std::string start;  // the shard's range [start, end); end empty = no bound
  std::string end;
};

// Counts the attempts an io request made beyond its first (a new leader, a lost answer): a
// transaction's ledger reports them as retries. Shared, since the request may outlive its caller.
using resend_counter = std::shared_ptr<std::uint32_t>;

class cluster_io {
 public:
  virtual ~cluster_io() = default;
  // The shard holding `key`, from the cached directory; nullopt when unknown (refresh first).
  virtual std::optional<route> locate(std::string_view key) = 0;
  // The shard holding the largest key below `key` (reverse scans); key empty: the last shard.
  virtual std::optional<route> locate_before(std::string_view key) = 0;
  // Reloads the directory from the meta shard.
  virtual void refresh(txn::callback<txn::unit> done) = 0;
  // A command through the shard leader's Raft log, or a read after read-index. The io finds the
  // leader, following hints and retrying not_leader and unavailable with back-off within its own
  // deadline. The answer is the shard's encoded answer (see shard_protocol.hpp); an error means
  // the request could not be answered (timeout, unavailable), its outcome unknown for commands.
  // `resends`, when given, counts the attempts made again.
  virtual void command(shard_id shard, std::string bytes, txn::callback<std::string> done,
                       resend_counter resends = nullptr) = 0;
  virtual void query(shard_id shard, std::string bytes, txn::callback<std::string> done,
                     resend_counter resends = nullptr) = 0;
  // A stale read from the replica nearest to the client (its own datacenter when it has one),
  // answered from that replica's state when the read lies below its safe timestamp (else the
  // answer is a not_ready error: the caller then asks the leader).
  virtual void query_stale(shard_id shard, std::string bytes, txn::callback<std::string> done) = 0;
  // A fresh timestamp from the timestamp oracle.
  virtual void timestamp(txn::callback<std::uint64_t> done, resend_counter resends = nullptr) = 0;
  virtual void after(std::uint64_t delay_ms, std::function<void()> fn) = 0;
  virtual std::uint64_t now_ms() = 0;
};

struct coordinator_options {
  std::uint64_t lock_ttl_ms = 3000;
  // Async commit for transactions of at most this many keys (the primary's lock lists them all).
  std::size_t async_commit_max_keys = 64;
  // How long a commit (or a read) keeps retrying before it gives up. A commit that gives up
  // after its commit point may have happened: it reports outcome_unknown.
  std::uint64_t commit_deadline_ms = 30'000;
  std::uint64_t read_deadline_ms = 30'000;
  std::uint64_t max_backoff_ms = 400;
  std::size_t resolved_cache_entries = 16'384;
  // The node's running transactions, for garbage collection (each transaction registers its
  // start_ts while it can still read or commit). Null: not tracked.
  std::shared_ptr<txn::active_set> active;
};

class cluster_engine final : public txn::transaction_engine {
 public:
  // REQUIRES: io outlives the engine and every transaction it begins.
  cluster_engine(cluster_io& io, coordinator_options options = {});
  ~cluster_engine() override;

  void begin(txn::begin_options options, txn::callback<std::unique_ptr<txn::transaction>> done) override;

  // Resolves a lock met by background work (garbage collection) as a writer would: rolls its
  // transaction forward or back once the primary says it is decided or expired. Delivers true
  // when the lock is gone, false while its owner is alive.
  void resolve_lock(storage::locked_key lock, txn::callback<bool> done);

  struct shared;  // state every transaction of this engine shares (io, options, the cache)

 private:
  std::shared_ptr<shared> shared_;
};

}  // namespace meridian::actors
