// check_txn_status (PROTOCOL.md "Actions" and "Lock resolution" step 1): asked on a
// transaction's primary key by whoever met one of its locks, it answers how the transaction
// stands, and decides it where the protocol allows (rolling back an expired classic lock, or a
// transaction that never prewrote its primary) or pushes a live classic lock past a reader. Pure
// functions over a snapshot reader and a write buffer, run by the primary's shard leader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct check_txn_status_request {
  std::string primary;
  std::uint64_t start_ts = 0;
  // The caller's current TSO timestamp: TTLs are measured against it, and a push moves the
  // lock's min_commit_ts above it.
  std::uint64_t caller_ts = 0;
  // The ttl_ms of the lock the caller met (a secondary, or the primary itself). Decides a
  // missing primary: once that lock outlived its TTL, the transaction is rolled back.
  std::uint64_t met_lock_ttl_ms = 0;
  // A reader at caller_ts wants to read past a live classic lock.
  bool push_min_commit_ts = false;
};

struct txn_status {
  enum class state : std::uint8_t {
    committed,           // at commit_ts
    rolled_back,         // (possibly by this call: see `action`)
    locked,              // a live classic lock; `lock` is it, after any push
    check_secondaries,   // an async-commit lock: decide through check_secondary_lock on every
                         // key in lock->secondaries and the primary (PROTOCOL.md step 5)
    not_yet_prewritten,  // no lock and no record, and the met lock is still alive: back off
  };
  enum class action_taken : std::uint8_t {
    none,
    rolled_back_expired_lock,  // a classic lock past its TTL was rolled back
    pushed_min_commit_ts,      // the classic lock's min_commit_ts now lies above caller_ts
    wrote_rollback_record,     // no lock, the met lock expired: a rollback record now stops it
  };
  state outcome = state::not_yet_prewritten;
  action_taken action = action_taken::none;
  std::uint64_t commit_ts = 0;               // committed
  std::optional<storage::lock_record> lock;  // locked, check_secondaries
  // check_secondaries: whether the async-commit lock outlived its TTL (only then may it be
  // decided; before, the caller backs off).
  bool lock_expired = false;
};

// PROTOCOL.md check_txn_status, on the primary:
//  - our lock, async commit: check_secondaries (never rolled back on TTL, never pushed: the
//    client may already have been told "committed");
//  - our lock, classic: past its TTL -> rolled back now; alive -> locked, with min_commit_ts
//    raised to caller_ts + 1 if asked and it was not above caller_ts already;
//  - no lock of ours: our commit record -> committed; our rollback -> rolled_back; neither ->
//    txn_too_old at or below the GC safe point; else, if the met lock outlived its TTL, a
//    rollback record is written (a late prewrite then fails) -> rolled_back; else
//    not_yet_prewritten.
// Errors: invalid_argument if our lock names another primary (the caller asked the wrong key).
// REQUIRES: start_ts > 0, caller_ts > 0.
txn_result<txn_status> check_txn_status(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                        const check_txn_status_request& request);

// The command: validates the request (timestamps, the primary key, caller_ts not further ahead
// of the leader's clock than the TSO window, PROTOCOL.md "Timestamps") and runs the action.
txn_result<txn_status> check_txn_status_command(storage::mvcc_reader& reader,
                                                storage::mvcc_batch& batch,
                                                const check_txn_status_request& request,
                                                std::uint64_t leader_clock_ms,
                                                std::uint64_t tso_window_ms);

}  // namespace meridian::txn
