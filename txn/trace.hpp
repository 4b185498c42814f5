// Finding one transaction's own traces on one key (PROTOCOL.md "Actions": "our own traces first,
// since messages are retried and duplicated"). Every action asks this before anything else, so a
// retried, duplicated or reordered message gets the answer the first one got; plus the record
// helpers commit and one-phase commit share. Pure functions over a snapshot reader, run by
// whichever thread runs the action.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "storage/mvcc.hpp"

namespace meridian::txn {

struct own_trace {
  enum class state : std::uint8_t { none, committed, rolled_back };
  state outcome = state::none;
  // committed: our record and where it sits (at some commit_ts > start_ts).
  std::uint64_t commit_ts = 0;
  storage::write_record record;
  // The newest record of another transaction with commit_ts > start_ts, of any kind: a write
  // conflict for our prewrite (PROTOCOL.md prewrite).
  std::optional<storage::committed_version> newer_foreign;
};

// Reads key's write records from the newest down to start_ts inclusive:
//  - committed: a record with record.start_ts == start_ts that is not a rollback;
//  - rolled back: at commit_ts == start_ts, our rollback record, or another transaction's
//    commit record with overlapped_rollback set (it names the transaction whose start_ts is
//    that commit_ts, PROTOCOL.md "Per-key state");
//  - none: neither.
// A record of another transaction at exactly start_ts without overlapped_rollback is no trace of
// ours (our snapshot includes it).
// REQUIRES: start_ts > 0. Asserts that a key never holds both a commit and a rollback of one
// transaction (that would be a broken transaction).
result<own_trace> find_own_trace(storage::mvcc_reader& reader, std::string_view key,
                                 std::uint64_t start_ts);

// The write record at exactly ts, if any.
result<std::optional<storage::write_record>> write_at(storage::mvcc_reader& reader,
                                                      std::string_view key, std::uint64_t ts);

// The write record a committed mutation leaves (put -> put, delete -> delete, lock_only ->
// lock_only).
storage::write_kind write_kind_of(storage::mutation_kind kind);

// Whether a commit record of start_ts placed at commit_ts must carry overlapped_rollback:
// another transaction's rollback record sits there (PROTOCOL.md "Per-key state": the commit
// keeps that rollback in force, so the other transaction's late prewrite still fails).
// Asserts that no other commit record sits at commit_ts (two commits at one timestamp on one
// key would mean a write conflict was missed).
result<bool> commit_overlaps_rollback(storage::mvcc_reader& reader, std::string_view key,
                                      std::uint64_t start_ts, std::uint64_t commit_ts);

}  // namespace meridian::txn
