// The one catalogue of errors a user or a caller can see. Every expected failure in Meridian is an
// `error` value carrying a stable code (number and name), a message a person can act on, and
// whether retrying may help. Bugs are asserts (common/assert.hpp), never errors.
// Pure data; safe to use from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian {

// Stable codes. The number and the name are part of the public contract (the shell and the API
// print both): never renumber or rename one, only add. Grouped by layer in blocks of 1000.
enum class errc : std::uint16_t {
  ok = 0,
  // 1xxx: general
  invalid_argument = 1001,
  limit_exceeded = 1002,
  invalid_config = 1003,
  internal = 1004,
  cancelled = 1005,
  timeout = 1006,
  // 2xxx: storage
  key_too_large = 2001,
  value_too_large = 2002,
  storage_io = 2003,
  storage_full = 2004,
  storage_corrupt = 2005,
  format_version_mismatch = 2006,
  not_a_data_directory = 2007,
  storage_read_only = 2008,
  log_compacted = 2009,
  log_unavailable = 2010,
  data_directory_in_use = 2011,
  // 3xxx: consensus and cluster
  not_leader = 3001,
  unavailable = 3002,
  epoch_mismatch = 3003,
  proposal_dropped = 3004,
  not_ready = 3005,
  outcome_unknown = 3006,
  // 4xxx: transactions
  write_conflict = 4001,
  key_locked = 4002,
  txn_rolled_back = 4003,
  txn_lock_not_found = 4004,
  commit_ts_expired = 4005,
  txn_too_old = 4006,
  snapshot_too_old = 4007,
  txn_too_large = 4008,
  lock_not_resolved = 4009,
  txn_already_committed = 4010,
  txn_not_active = 4011,
  // 5xxx: SQL
  sql_syntax = 5001,
  sql_unknown_table = 5002,
  sql_unknown_column = 5003,
  sql_type_mismatch = 5004,
  sql_not_null_violation = 5005,
  sql_duplicate_key = 5006,
  sql_division_by_zero = 5007,
  sql_out_of_range = 5008,
  sql_statement_too_long = 5009,
  sql_nesting_too_deep = 5010,
  sql_result_too_large = 5011,
  sql_table_exists = 5012,
  sql_schema_changed = 5013,
  sql_unsupported = 5014,
  sql_unknown_index = 5015,
  sql_index_exists = 5016,
  sql_ambiguous_column = 5017,
  sql_invalid_value = 5018,
  sql_no_transaction = 5019,
};

struct error_info {
  errc code;
  std::string_view name;     // stable symbolic name, e.g. "write_conflict"
  std::string_view summary;  // one line a person understands without context
  bool retryable;            // may the same request succeed if simply tried again later?
};

// Looks up the catalogue entry for a code. Every enumerator has one (checked by a unit test).
const error_info& info(errc code);

// The whole catalogue, for tools that list codes (and for the test that checks it).
std::vector<error_info> all_error_infos();

class error {
 public:
  error() = default;
  error(errc code, std::string message) : code_(code), message_(std::move(message)) {}

  errc code() const { return code_; }
  std::uint16_t number() const { return static_cast<std::uint16_t>(code_); }
  std::string_view name() const { return info(code_).name; }
  bool retryable() const { return info(code_).retryable; }
  const std::string& message() const { return message_; }

  // "E4001 write_conflict: <message> (retry may help)" — the form the shell and the API print.
  std::string to_string() const;

  friend bool operator==(const error& a, const error& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  errc code_ = errc::internal;
  std::string message_;
};

}  // namespace meridian
