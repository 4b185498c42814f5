// The transaction errors and their messages; see outcome.hpp.
#include "txn/outcome.hpp"

#include <algorithm>

namespace meridian::txn {
namespace {

constexpr std::size_t max_printed_key_bytes = 64;

std::string ts(std::uint64_t v) { return std::to_string(v); }

std::string txn_key(std::string_view key, std::uint64_t start_ts) {
  return "key '" + printable_key(key) + "' of transaction " + ts(start_ts);
}

}  // namespace

std::string printable_key(std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  std::size_t shown = std::min(key.size(), max_printed_key_bytes);
  for (std::size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  if (shown < key.size()) out += "...(" + std::to_string(key.size()) + " bytes)";
  return out;
}

txn_error write_conflict(std::string_view key, std::uint64_t start_ts,
                         std::uint64_t conflict_start_ts, std::uint64_t conflict_commit_ts) {
  txn_error e(error(errc::write_conflict,
                    txn_key(key, start_ts) + " was written by transaction " +
                        ts(conflict_start_ts) + " at commit_ts " + ts(conflict_commit_ts) +
                        ", after this transaction started"));
  e.conflict_start_ts = conflict_start_ts;
  e.conflict_commit_ts = conflict_commit_ts;
  return e;
}

txn_error key_locked(std::string_view key, std::uint64_t start_ts, storage::lock_record lock) {
  txn_error e(error(errc::key_locked,
                    txn_key(key, start_ts) + " is locked by transaction " + ts(lock.start_ts) +
                        " (primary '" + printable_key(lock.primary) + "', ttl " +
                        ts(lock.ttl_ms) + " ms)"));
  e.lock = storage::locked_key{std::string(key), std::move(lock)};
  return e;
}

txn_error rolled_back(std::string_view key, std::uint64_t start_ts) {
  return error(errc::txn_rolled_back, txn_key(key, start_ts) + " has been rolled back");
}

txn_error lock_not_found(std::string_view key, std::uint64_t start_ts) {
  return error(errc::txn_lock_not_found,
               txn_key(key, start_ts) + " has no lock and no commit or rollback record");
}

txn_error commit_ts_expired(std::string_view key, std::uint64_t start_ts,
                            std::uint64_t commit_ts, std::uint64_t min_commit_ts) {
  txn_error e(error(errc::commit_ts_expired,
                    txn_key(key, start_ts) + ": commit_ts " + ts(commit_ts) +
                        " is below the lock's min_commit_ts " + ts(min_commit_ts)));
  e.min_commit_ts = min_commit_ts;
  return e;
}

txn_error already_committed(std::string_view key, std::uint64_t start_ts,
                            std::uint64_t commit_ts) {
  txn_error e(error(errc::txn_already_committed,
                    txn_key(key, start_ts) + " is committed at commit_ts " + ts(commit_ts)));
  e.commit_ts = commit_ts;
  return e;
}

txn_error txn_too_old(std::string_view key, std::uint64_t start_ts, std::uint64_t safe_point) {
  return error(errc::txn_too_old, txn_key(key, start_ts) +
                                      " is at or below the GC safe point " + ts(safe_point));
}

error invalid_request(const std::string& why) {
  return error(errc::invalid_argument, why);
}

}  // namespace meridian::txn
