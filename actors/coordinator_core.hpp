// Internal to the coordinator (coordinator*.cpp): the state of one transaction, kept in a
// shared_ptr that every pending callback holds, so background work (committing secondaries,
// rolling back) outlives the transaction object the user may already have dropped.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>

#include "actors/coordinator.hpp"
#include "actors/shard_protocol.hpp"
#include "txn/write_buffer.hpp"

namespace meridian::actors {

struct cluster_engine::shared {
  cluster_io& io;
  coordinator_options options;
  txn::resolved_cache resolved;
};

// What resolving a lock found.
enum class resolution : std::uint8_t {
  resolved,  // the key's lock is gone (committed or rolled back): retry the operation
  bypass,    // a live classic lock was pushed above the read: read past it
  wait,      // the owner is alive: back off and retry
};

struct txn_core : std::enable_shared_from_this<txn_core> {
  std::shared_ptr<cluster_engine::shared> shared;
  std::uint64_t start_ts = 0;
  bool read_only = false;
  // A read at a past timestamp (AS OF SYSTEM TIME): served by the nearest replica when it has
  // caught up (PROTOCOL.md "Stale reads").
  bool stale = false;
  txn::commit_mode mode = txn::commit_mode::automatic;
  bool finished = false;
  txn::write_buffer buffer;
  std::vector<std::string> unchanged;  // validate_unchanged keys
  std::vector<std::uint64_t> bypass;   // transactions pushed past our reads
  txn::ledger ledger;
  // The io's own resends of this transaction's requests, folded into ledger.retries by
  // ledger_now().
  resend_counter resends = std::make_shared<std::uint32_t>(0);
  std::uint32_t resends_counted = 0;
  const txn::ledger& ledger_now() {
    ledger.retries += *resends - resends_counted;
    resends_counted = *resends;
    return ledger;
  }
  // Holds start_ts in the node's active set (garbage collection's bound) while this state lives:
  // as long as the transaction object or any of its background work.
  txn::active_set::registration active;

  cluster_io& io() { return shared->io; }
  // The io's requests, their resends counted in this transaction's ledger.
  void fetch_timestamp(txn::callback<std::uint64_t> done) { io().timestamp(std::move(done), resends); }
  void send_command(shard_id shard, std::string bytes, txn::callback<std::string> done) {
    io().command(shard, std::move(bytes), std::move(done), resends);
  }
  void send_query(shard_id shard, std::string bytes, txn::callback<std::string> done) {
    io().query(shard, std::move(bytes), std::move(done), resends);
  }
  const coordinator_options& options() const { return shared->options; }
  std::uint64_t backoff_ms(int attempt) const;
  bool past(std::uint64_t deadline_ms) { return io().now_ms() >= deadline_ms; }
  // The transaction's cancel flag (txn::begin_options::cancel); none: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
  bool cancel_commit = true;  // txn::begin_options::cancel_commit
  bool cancelled() const { return cancel != nullptr && cancel->load(); }

  // coordinator_read.cpp
  void read_key(std::string key, std::uint64_t deadline_ms, int attempt,
                txn::callback<std::optional<std::string>> done);
  void read_page(txn::scan_merger::fetch f, bool reverse, std::uint64_t deadline_ms, int attempt,
                 txn::callback<txn::scan_page> done);
  // coordinator_batch.cpp: reads `keys` (none buffered here), one query per shard holding
  // several of them (batch_get) and a plain read for a key alone in its shard. Values come back
  // in the order of `keys`.
  using values = std::vector<std::optional<std::string>>;
  void read_keys(std::vector<std::string> keys, std::uint64_t deadline_ms,
                 txn::callback<values> done);
  // One batch_get of keys that share a shard when it leaves; a lock met is resolved and the
  // batch read again; keys a split has since put in different shards are read one by one.
  void read_batch(std::vector<std::string> keys, std::uint64_t deadline_ms, int attempt,
                  txn::callback<values> done);
  void read_each(std::vector<std::string> keys, std::uint64_t deadline_ms,
                 txn::callback<values> done);
  // A read met a lock (`met`; none while it is still being proposed): resolves it, then calls
  // `again` (after a back-off while its owner lives), or `fail` (lock_not_resolved past the
  // deadline, or the resolution's error).
  void after_lock(const std::optional<storage::locked_key>& met, std::uint64_t deadline_ms,
                  int attempt, std::function<void()> again, std::function<void(error)> fail);
  // Resolves a foreign lock met at `key` by a reader (reader = true: may push a classic lock
  // past read_ts) or a writer.
  void resolve(storage::locked_key met, bool reader, txn::callback<resolution> done);
  void recover_async(storage::lock_record primary_lock, txn::callback<txn::txn_outcome> done);
  void resolve_key(const std::string& key, std::uint64_t start_ts, txn::txn_outcome outcome,
                   txn::callback<resolution> done);
  // A query to the shard `locate` picks, retried across refreshes and epoch mismatches and
  // transport failures until the deadline. Delivers the shard's encoded answer and the route.
  using locator = std::function<std::optional<route>()>;
  // `unroutable`, when given, is called instead of retrying when `locate` finds no route.
  void query_shard(locator locate, std::function<shard_query(const route&)> build,
                   std::uint64_t deadline_ms, int attempt,
                   std::function<void(result<std::pair<route, std::string>>)> done,
                   std::function<void()> unroutable = {});
  struct query_request;
  void query_attempt(std::shared_ptr<query_request> req, int attempt);
  // Commands for `keys`, one per shard holding some of them, built by `build`; a group whose
  // shard moved (epoch mismatch) is regrouped after a refresh, transport failures are retried
  // until the deadline. Delivers every group's keys and decoded answer.
  struct group_answer {
    std::vector<std::string> keys;
    route where;
    txn::txn_result<std::string> answer;
  };
  // `give_up_unavailable`: a shard the io found unavailable (after its own retries) fails the
  // scatter at once instead of being tried again until the deadline — for prewrites, which
  // are not a commit point and are rolled back or recovered when they fail.
  void scatter(std::vector<std::string> keys,
               std::function<shard_command(const route&, const std::vector<std::string>&)> build,
               std::uint64_t deadline_ms,
               std::function<void(result<std::vector<group_answer>>)> done,
               bool give_up_unavailable = false);

  // coordinator_commit.cpp
  void commit(txn::callback<std::uint64_t> done);
};

// How often a waiting begin or read looks at its cancel flag.
constexpr std::uint64_t cancel_poll_ms = 50;

// `done`, raced against `cancel`: the first of the answer and the flag found set (looked at every
// cancel_poll_ms) settles it, with `when_cancelled` for the flag; the other is dropped. Without a
// flag, `done` itself.
template <class T>
txn::callback<T> cancellable(cluster_io& io, const std::atomic<bool>* cancel,
                             txn::callback<T> done,
                             error when_cancelled = error(errc::cancelled,
                                                          "the statement was cancelled")) {
  if (cancel == nullptr) return done;
  struct race {
    txn::callback<T> done;
    bool settled = false;
    void settle(result<T> r) {
      if (settled) return;
      settled = true;
      auto d = std::move(done);
      d(std::move(r));
    }
  };
  auto r = std::make_shared<race>();
  r->done = std::move(done);
  // Each pending look holds the poll; the poll holds itself only weakly.
  auto poll = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = poll;
  *poll = [&io, cancel, r, weak, when_cancelled] {
    if (r->settled) return;
    if (cancel->load()) return r->settle(when_cancelled);
    if (auto again = weak.lock()) io.after(cancel_poll_ms, [again] { (*again)(); });
  };
  io.after(cancel_poll_ms, [poll] { (*poll)(); });
  return [r](result<T> answer) { r->settle(std::move(answer)); };
}

// Groups keys by the shard holding them; keys whose shard is unknown land in `unknown`.
struct shard_groups {
  std::map<shard_id, std::pair<route, std::vector<txn::mutation>>> groups;
  bool unknown = false;
};
shard_groups group_by_shard(cluster_io& io, const std::vector<txn::mutation>& mutations);

}  // namespace meridian::actors
