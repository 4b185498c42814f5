// Prewrite (PROTOCOL.md "Actions", prewrite): the first phase of Percolator, which checks one key
// for our own earlier traces and for conflicts and then writes our lock (and a long value in
// `data`); and the prewrite command, which validates a request and prewrites its keys. Pure
// functions over a snapshot reader and a write buffer, run by the shard leader's replica actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/mvcc.hpp"
#include "txn/concurrency_manager.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct mutation {
  storage::mutation_kind kind = storage::mutation_kind::put;
  std::string key;
  std::string value;  // put only; empty for delete and lock_only
};

// What one transaction's prewrite carries for all its keys.
struct prewrite_params {
  std::string primary;
  std::uint64_t start_ts = 0;
  std::uint64_t ttl_ms = 0;
  bool use_async_commit = false;
  // Async commit: every key of the transaction except the primary; stored in the primary's lock
  // only (PROTOCOL.md "The commit path" step 4), so recovery can find them all.
  std::vector<std::string> secondaries;
};

struct prewrite_result {
  // The lock's min_commit_ts: the stored one if the lock was already there (never a fresh one).
  // Unset (0) when already_committed_at is set.
  std::uint64_t min_commit_ts = 0;
  // A duplicate prewrite of a transaction that already committed this key, at this commit_ts.
  std::optional<std::uint64_t> already_committed_at;
};

// Everything prewrite checks before writing, shared with one-phase commit.
struct prewrite_check {
  enum class state : std::uint8_t {
    clear,      // no trace of ours, no conflict: the lock (or 1PC record) may be written
    our_lock,   // our lock is there (a duplicate message)
    committed,  // our commit record is there, at commit_ts
  };
  state outcome = state::clear;
  std::optional<storage::lock_record> lock;  // our_lock
  std::uint64_t commit_ts = 0;               // committed
};

// PROTOCOL.md prewrite, in its order: our lock; our commit record at any c >= start_ts; our
// rollback record or an overlapped_rollback naming start_ts (txn_rolled_back); another
// transaction's record at c > start_ts (write_conflict, with its timestamps); another's lock
// (key_locked, with the lock); start_ts at or below the GC safe point (txn_too_old).
// REQUIRES: start_ts > 0.
txn_result<prewrite_check> check_prewrite(storage::mvcc_reader& reader, std::string_view key,
                                          std::uint64_t start_ts);

// The lock a prewrite of `m` writes: short values inline, the primary's lock listing the
// secondaries under async commit.
storage::lock_record lock_for(const prewrite_params& txn, const mutation& m,
                              std::uint64_t min_commit_ts);

// Prewrites one key. Classic: min_commit_ts = start_ts + 1. Async commit: min_commit_ts =
// max(start_ts + 1, max_ts + 1), stored and returned.
// REQUIRES: max_ts present iff txn.use_async_commit, read after the key's memory lock was
// inserted; txn.start_ts > 0.
txn_result<prewrite_result> prewrite(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                     const prewrite_params& txn, const mutation& m,
                                     std::optional<std::uint64_t> max_ts);

struct prewrite_request {
  prewrite_params txn;
  std::vector<mutation> mutations;
};

struct prewrite_response {
  std::vector<prewrite_result> keys;  // one per mutation, in order
  // The largest min_commit_ts among the keys (async commit: this shard's share of commit_ts).
  std::uint64_t min_commit_ts = 0;
};

// Validates the request, then prewrites every mutation. All or nothing: the first failing key's
// error is returned and nothing is added to `batch`.
// Async commit: REQUIRES `memory` holding exactly the request's keys for txn.start_ts; max_ts is
// read from it (not_ready while uninitialised) and each lock is published into it. Classic:
// `memory` may be null.
txn_result<prewrite_response> prewrite_command(storage::mvcc_reader& reader,
                                               storage::mvcc_batch& batch,
                                               const prewrite_request& request,
                                               memory_locks* memory);

// Request checks shared with one-phase commit: start_ts, primary, keys, kinds and values, ttl,
// async-commit secondaries.
status validate_prewrite(const prewrite_request& request);

}  // namespace meridian::txn
