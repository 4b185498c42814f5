// Transaction errors and results: messages name the key and the timestamps, errors carry the
// details a caller acts on (the lock, the conflicting record, min_commit_ts, commit_ts), and
// storage errors pass through unchanged.
#include "txn/outcome.hpp"

#include <doctest/doctest.h>

using namespace meridian;
using namespace meridian::txn;

namespace {

txn_result<int> pass_through(status s) {
  MERIDIAN_TRY(s);
  return 7;
}

txn_result<int> pass_txn_error(txn_result<int> inner) {
  MERIDIAN_TRY(inner);
  return *inner + 1;
}

}  // namespace

TEST_CASE("outcome: printable_key escapes binary bytes and cuts long keys") {
  CHECK(printable_key("t/1/r/abc") == "t/1/r/abc");
  CHECK(printable_key(std::string("a\0b\xff'", 5)) == "a\\x00b\\xff\\x27");
  std::string long_key(100, 'x');
  std::string shown = printable_key(long_key);
  CHECK(shown.size() < 100);
  CHECK(shown.find("(100 bytes)") != std::string::npos);
}

TEST_CASE("outcome: errors name the key and the timestamps and carry their details") {
  auto conflict = write_conflict("k", 10, 15, 20);
  CHECK(conflict.code() == errc::write_conflict);
  CHECK(conflict.conflict_start_ts == 15);
  CHECK(conflict.conflict_commit_ts == 20);
  for (const char* part : {"'k'", "10", "15", "20"}) {
    CHECK(conflict.message().find(part) != std::string::npos);
  }
  storage::lock_record lock;
  lock.primary = "p";
  lock.start_ts = 7;
  auto locked = key_locked("k", 10, lock);
  CHECK(locked.code() == errc::key_locked);
  CHECK(locked.retryable());
  REQUIRE(locked.lock.has_value());
  CHECK(locked.lock->key == "k");
  CHECK(locked.lock->lock.start_ts == 7);
  CHECK(commit_ts_expired("k", 10, 20, 31).min_commit_ts == 31);
  CHECK(already_committed("k", 10, 20).commit_ts == 20);
  CHECK(rolled_back("k", 10).code() == errc::txn_rolled_back);
  CHECK(lock_not_found("k", 10).code() == errc::txn_lock_not_found);
  auto old = txn_too_old("k", 10, 50);
  CHECK(old.code() == errc::txn_too_old);
  CHECK(old.message().find("50") != std::string::npos);
  CHECK(invalid_request("why").code() == errc::invalid_argument);
}

TEST_CASE("outcome: txn_result holds a value or a txn_error, and errors pass through TRY") {
  CHECK(*pass_through(ok_status()) == 7);
  auto failed = pass_through(error(errc::storage_io, "disk"));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.err().code() == errc::storage_io);
  CHECK(failed.err().message() == "disk");
  CHECK_FALSE(failed.err().lock.has_value());
  auto detailed = pass_txn_error(write_conflict("k", 1, 2, 3));
  REQUIRE_FALSE(detailed.ok());
  CHECK(detailed.err().conflict_commit_ts == 3);
  CHECK(*pass_txn_error(4) == 5);
  CHECK(txn_outcome::committed_at(5).committed());
  CHECK_FALSE(txn_outcome::rolled_back().committed());
  CHECK_FALSE(txn_outcome::committed_at(5) == txn_outcome::committed_at(6));
}
