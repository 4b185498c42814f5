// What coordinators ask of a data shard and what it answers: the Percolator commands that go
// through Raft (prewrite, commit, rollback, check_txn_status, resolve_lock,
// check_secondary_locks, heartbeat, GC, split) and the reads served after read-index (get,
// batch_get, scan), each with a byte encoding (they travel inside propose/read messages and sit
// in the Raft log) and the encoding of their answers, including the details of a txn_error
// (the lock met, the conflicting timestamps). Decoding never trusts its input. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/topology.hpp"
#include "storage/mvcc.hpp"
#include "txn/check_secondary_lock.hpp"
#include "txn/check_txn_status.hpp"
#include "txn/commit.hpp"
#include "txn/outcome.hpp"
#include "txn/prewrite.hpp"
#include "txn/resolve_lock.hpp"
#include "txn/rollback.hpp"

namespace meridian::actors {

enum class prewrite_mode : std::uint8_t { classic = 0, async_commit = 1, one_pc = 2 };

// Every request names the shard epoch its sender routed by: a request for an older epoch (the
// shard split since) is refused with epoch_mismatch, so the router looks again.
struct prewrite_cmd {
  std::uint64_t epoch = 0;
  prewrite_mode mode = prewrite_mode::classic;
  txn::prewrite_request request;
  // Filled by the leader before proposing (PROTOCOL.md "max_ts and memory locks"): the shard's
  // max_ts read after the memory locks were inserted. Async commit derives min_commit_ts from it;
  // one-phase commit derives its commit_ts = max(start_ts + 1, max_ts + 1).
  std::uint64_t max_ts = 0;
  // One-phase commit only: keys of this shard that must not have been written (put or delete)
  // by another transaction after start_ts, nor be locked now (transaction::validate_unchanged,
  // checked atomically with the commit).
  std::vector<std::string> validate;
};
struct commit_cmd {
  std::uint64_t epoch = 0;
  txn::commit_request request;
};
struct rollback_cmd {
  std::uint64_t epoch = 0;
  txn::rollback_request request;
};
struct check_txn_status_cmd {
  std::uint64_t epoch = 0;
  txn::check_txn_status_request request;
  std::uint64_t leader_clock_ms = 0;  // filled by the leader: the clock check of PROTOCOL.md
};
struct resolve_lock_cmd {
  std::uint64_t epoch = 0;
  txn::resolve_lock_request request;
};
struct check_secondary_locks_cmd {
  std::uint64_t epoch = 0;
  txn::check_secondary_locks_request request;
};
struct heartbeat_cmd {
  std::uint64_t epoch = 0;
  std::string primary;
  std::uint64_t start_ts = 0;
  std::uint64_t ttl_ms = 0;
};
struct gc_cmd {
  std::uint64_t epoch = 0;
  std::uint64_t safe_point = 0;
  std::string start;  // resume key
  std::uint32_t max_keys = 0;
};

// PROTOCOL.md "Stale reads": the leader publishes a timestamp below which nothing new can
// commit on the shard; every replica that applied it may serve reads at or below it.
struct safe_ts_cmd {
  std::uint64_t epoch = 0;
  std::uint64_t safe_ts = 0;
};

// Splits the shard at `key`: it keeps [start, key) and a new shard `new_shard` takes
// [key, end), both at epoch + 1. Every replica applies it at the same log position, so the new
// shard's replicas start from identical copies of the right half.
struct split_cmd {
  std::uint64_t epoch = 0;
  std::string key;
  shard_id new_shard = 0;
};

using shard_command = std::variant<prewrite_cmd, commit_cmd, rollback_cmd, check_txn_status_cmd,
                                   resolve_lock_cmd, check_secondary_locks_cmd, heartbeat_cmd,
                                   gc_cmd, safe_ts_cmd, split_cmd>;

struct get_query {
  std::uint64_t epoch = 0;
  std::string key;
  storage::read_options read;
};
struct batch_get_query {
  std::uint64_t epoch = 0;
  std::vector<std::string> keys;
  storage::read_options read;
};
struct scan_query {
  std::uint64_t epoch = 0;
  std::string start;
  std::string end;
  storage::read_options read;
  std::uint32_t limit = 0;
  bool reverse = false;
};

// The commit_ts of the newest put or delete of `key` at or below read.read_ts (0: none); blocked
// by a lock like any read. Classic commits use it to validate keys at their commit_ts.
struct latest_write_query {
  std::uint64_t epoch = 0;
  std::string key;
  storage::read_options read;
};

// The locks of [start, end) (clamped to the shard's range) whose start_ts is at or below
// read.read_ts, at most `limit`, in key order: what garbage collection resolves before its safe
// point passes them (PROTOCOL.md "Garbage collection"). Answered with encode_locks.
struct lock_scan_query {
  std::uint64_t epoch = 0;
  std::string start;
  std::string end;
  storage::read_options read;
  std::uint32_t limit = 0;
};

using shard_query =
    std::variant<get_query, batch_get_query, scan_query, latest_write_query, lock_scan_query>;

std::string encode_command(const shard_command& c);
result<shard_command> decode_command(std::string_view bytes);
std::string encode_query(const shard_query& q);
result<shard_query> decode_query(std::string_view bytes);

// The keys a command or query touches (for range checks and memory locks).
std::vector<std::string> keys_of(const shard_command& c);
std::uint64_t epoch_of(const shard_command& c);
std::uint64_t epoch_of(const shard_query& q);

// ---- answers ----------------------------------------------------------------------------------
// Every answer starts with a status byte: 0 = ok, then the payload; 1 = txn_error (code,
// message, the lock met if any, conflict timestamps, min_commit_ts, commit_ts).
std::string encode_error(const txn::txn_error& e);
// An ok answer's payload, or the txn_error it carries.
txn::txn_result<std::string> decode_answer(std::string_view bytes);
std::string ok_answer(std::string_view payload);

std::string encode_prewrite_answer(const txn::prewrite_response& r);
result<txn::prewrite_response> decode_prewrite_answer(std::string_view payload);
// One-phase commit: the commit_ts.
std::string encode_u64(std::uint64_t v);
result<std::uint64_t> decode_u64(std::string_view payload);
std::string encode_txn_status(const txn::txn_status& s);
result<txn::txn_status> decode_txn_status(std::string_view payload);
std::string encode_secondary_statuses(const std::vector<txn::secondary_status>& s);
result<std::vector<txn::secondary_status>> decode_secondary_statuses(std::string_view payload);

// Reads: a value or not found, or the lock that blocks (as a key_locked txn_error).
std::string encode_read(const storage::read_result& r);
result<std::optional<std::string>> decode_value(std::string_view payload);
std::string encode_values(const std::vector<std::optional<std::string>>& values);
result<std::vector<std::optional<std::string>>> decode_values(std::string_view payload);
// A gc command's answer: what it removed, and where the next chunk starts when more keys remain.
struct gc_answer {
  std::uint64_t versions_removed = 0;
  bool more = false;
  std::string resume_key;
};
std::string encode_gc_answer(const gc_answer& a);
result<gc_answer> decode_gc_answer(std::string_view payload);
std::string encode_locks(const std::vector<storage::locked_key>& locks);
result<std::vector<storage::locked_key>> decode_locks(std::string_view payload);
// A scan page: rows, more, resume key, and the blocking lock if the scan stopped at one.
std::string encode_scan(const storage::scan_result& r);
result<storage::scan_result> decode_scan(std::string_view payload);

}  // namespace meridian::actors
