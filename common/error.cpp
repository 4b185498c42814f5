// The table behind common/error.hpp. Adding a code means adding its row here; the unit test
// checks that every enumerator has a row with a unique name.
#include "common/error.hpp"

#include <iterator>

namespace meridian {
namespace {

constexpr error_info catalogue[] = {
    {errc::ok, "ok", "success", false},
    {errc::invalid_argument, "invalid_argument", "a request argument is not valid", false},
    {errc::limit_exceeded, "limit_exceeded", "a configured limit was exceeded", false},
    {errc::invalid_config, "invalid_config", "the configuration is not valid", false},
    {errc::internal, "internal", "an internal error occurred", false},
    {errc::cancelled, "cancelled", "the request was cancelled", false},
    {errc::timeout, "timeout", "the request did not finish within its deadline", true},
    {errc::key_too_large, "key_too_large", "the key is larger than the limit", false},
    {errc::value_too_large, "value_too_large", "the value is larger than the limit", false},
    {errc::storage_io, "storage_io", "the storage engine reported an I/O error", false},
    {errc::storage_full, "storage_full", "the storage partition reached its size limit", false},
    {errc::storage_corrupt, "storage_corrupt", "stored data failed a consistency check", false},
    {errc::format_version_mismatch, "format_version_mismatch",
     "the data directory was written by another format version", false},
    {errc::not_a_data_directory, "not_a_data_directory",
     "the path does not hold a Meridian data directory", false},
    {errc::storage_read_only, "storage_read_only", "the data directory cannot be written", false},
    {errc::log_compacted, "log_compacted", "the requested log entries were compacted away",
     false},
    {errc::log_unavailable, "log_unavailable", "the requested log entries are not stored",
     false},
    {errc::data_directory_in_use, "data_directory_in_use",
     "another process has this data directory open", false},
    {errc::not_leader, "not_leader", "this replica is not the shard's leader", true},
    {errc::unavailable, "unavailable", "the shard cannot reach a quorum of its replicas", true},
    {errc::epoch_mismatch, "epoch_mismatch", "the shard's range changed since it was looked up",
     true},
    {errc::proposal_dropped, "proposal_dropped", "the proposal was dropped before commit", true},
    {errc::not_ready, "not_ready", "the replica is not ready to serve this request yet", true},
    {errc::outcome_unknown, "outcome_unknown",
     "the request may or may not have taken effect (its leader changed or it timed out); "
     "idempotent requests can be retried",
     true},
    {errc::write_conflict, "write_conflict",
     "another transaction wrote this key after this transaction started", true},
    {errc::key_locked, "key_locked", "another transaction holds a lock on this key", true},
    {errc::txn_rolled_back, "txn_rolled_back", "the transaction was rolled back", true},
    {errc::txn_lock_not_found, "txn_lock_not_found", "the transaction's lock was not found",
     true},
    {errc::commit_ts_expired, "commit_ts_expired",
     "the commit timestamp is below the lock's minimum commit timestamp", true},
    {errc::txn_too_old, "txn_too_old",
     "the transaction started before the garbage-collection safe point", true},
    {errc::snapshot_too_old, "snapshot_too_old",
     "the read timestamp is below the garbage-collection safe point", false},
    {errc::txn_too_large, "txn_too_large", "the transaction writes more than the limit", false},
    {errc::lock_not_resolved, "lock_not_resolved",
     "a lock held by another transaction was not resolved in time", true},
    {errc::txn_already_committed, "txn_already_committed", "the transaction already committed",
     false},
    {errc::txn_not_active, "txn_not_active", "the transaction is no longer active", false},
    {errc::sql_syntax, "sql_syntax", "the statement is not valid SQL", false},
    {errc::sql_unknown_table, "sql_unknown_table", "the table does not exist", false},
    {errc::sql_unknown_column, "sql_unknown_column", "the column does not exist", false},
    {errc::sql_type_mismatch, "sql_type_mismatch", "a value has the wrong type", false},
    {errc::sql_not_null_violation, "sql_not_null_violation", "NULL into a NOT NULL column",
     false},
    {errc::sql_duplicate_key, "sql_duplicate_key", "a row with this key already exists", false},
    {errc::sql_division_by_zero, "sql_division_by_zero", "division by zero", false},
    {errc::sql_out_of_range, "sql_out_of_range", "a number is out of its type's range", false},
    {errc::sql_statement_too_long, "sql_statement_too_long", "the statement is too long", false},
    {errc::sql_nesting_too_deep, "sql_nesting_too_deep", "the statement nests too deeply", false},
    {errc::sql_result_too_large, "sql_result_too_large", "the result or a value it computes is too large", false},
    {errc::sql_table_exists, "sql_table_exists", "the table already exists", false},
    {errc::sql_schema_changed, "sql_schema_changed",
     "the table's schema changed during the transaction", true},
    {errc::sql_unsupported, "sql_unsupported", "the statement uses an unsupported feature", false},
    {errc::sql_unknown_index, "sql_unknown_index", "the index does not exist", false},
    {errc::sql_index_exists, "sql_index_exists", "the index already exists", false},
    {errc::sql_ambiguous_column, "sql_ambiguous_column", "the column name is ambiguous", false},
    {errc::sql_invalid_value, "sql_invalid_value", "a value is not valid for its type", false},
    {errc::sql_no_transaction, "sql_no_transaction", "no transaction is open", false},
};

}  // namespace

const error_info& info(errc code) {
  for (const auto& row : catalogue) {
    if (row.code == code) return row;
  }
  static const error_info unknown{errc::internal, "unknown", "an unknown error code", false};
  return unknown;
}

std::vector<error_info> all_error_infos() {
  return std::vector<error_info>(std::begin(catalogue), std::end(catalogue));
}

std::string error::to_string() const {
  // The retry hint belongs to the first line: later lines may show the offending text and a
  // caret under it, which must stay aligned and last.
  std::string text = message_.empty() ? std::string(info(code_).summary) : message_;
  std::size_t first_line_end = text.find('\n');
  // An unknown outcome is retryable only for what is idempotent: a person must check first.
  std::string hint = code_ == errc::outcome_unknown
                         ? " (it may have taken effect: check before retrying)"
                         : retryable() ? " (retry may help)" : " (retry will not help)";
  std::string out = "E" + std::to_string(number()) + " ";
  out += name();
  out += ": ";
  if (first_line_end == std::string::npos) return out + text + hint;
  return out + text.substr(0, first_line_end) + hint + text.substr(first_line_end);
}

}  // namespace meridian
