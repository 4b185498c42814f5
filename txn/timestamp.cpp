// Timestamp arithmetic and the TSO's pure core; see timestamp.hpp.
#include "txn/timestamp.hpp"

#include <algorithm>
#include <string>

namespace meridian::txn {

std::uint64_t compose_ts(std::uint64_t physical_ms, std::uint64_t logical) {
  MERIDIAN_ASSERT(physical_ms <= max_physical_ms, "physical part does not fit in 46 bits");
  MERIDIAN_ASSERT(logical <= max_logical, "logical part does not fit in 18 bits");
  return physical_ms << logical_bits | logical;
}

bool ttl_expired(std::uint64_t start_ts, std::uint64_t ttl_ms, std::uint64_t current_ts) {
  std::uint64_t start_ms = physical_ms_of(start_ts);
  std::uint64_t now_ms = physical_ms_of(current_ts);
  return now_ms > start_ms && now_ms - start_ms > ttl_ms;
}

status check_not_ahead(const char* what, std::uint64_t ts, std::uint64_t leader_clock_ms,
                       std::uint64_t window_ms) {
  std::uint64_t ts_ms = physical_ms_of(ts);
  if (ts_ms > leader_clock_ms && ts_ms - leader_clock_ms > window_ms) {
    return error(errc::invalid_argument,
                 std::string(what) + " " + std::to_string(ts) + " is " +
                     std::to_string(ts_ms - leader_clock_ms) +
                     " ms ahead of the shard leader's clock, more than the TSO window of " +
                     std::to_string(window_ms) + " ms");
  }
  return ok_status();
}

status tso_config::validate() const {
  // A window of 0 could never issue anything; one above a minute makes a failover jump
  // timestamps a minute into the future.
  if (window_ms == 0 || window_ms > 60'000) {
    return error(errc::invalid_config, "tso window_ms must be in 1..60000, got " +
                                           std::to_string(window_ms));
  }
  // A batch must fit in one millisecond's logical counter, or one batch would span the window.
  if (max_batch == 0 || max_batch > max_logical) {
    return error(errc::invalid_config, "tso max_batch must be in 1.." +
                                           std::to_string(max_logical) + ", got " +
                                           std::to_string(max_batch));
  }
  return ok_status();
}

tso_core::tso_core(tso_config config) : config_(config) {
  MERIDIAN_ASSERT(config_.validate().ok(), "tso_core needs a valid tso_config");
}

void tso_core::become_leader(std::uint64_t persisted_hw) {
  // The log's mark only grows, and this core only issued below marks that reached the log.
  MERIDIAN_ASSERT(last_issued_ <= persisted_hw, "the persisted high-water mark went back");
  leader_ = true;
  persisted_hw_ = persisted_hw;
  // The previous leader issued only below persisted_hw; start strictly above it.
  last_issued_ = persisted_hw;
  issued_this_term_ = false;
  pending_hw_.reset();
}

std::optional<std::uint64_t> tso_core::closing_hw() const {
  if (!leader_ || !issued_this_term_ || last_issued_ + 1 >= persisted_hw_) return std::nullopt;
  return last_issued_ + 1;
}

void tso_core::step_down() {
  leader_ = false;
  pending_hw_.reset();
}

std::uint64_t tso_core::next_hw(std::uint64_t through, std::uint64_t now_ms) const {
  std::uint64_t base_ms = std::max(now_ms, physical_ms_of(through));
  return compose_ts(base_ms + config_.window_ms, 0);
}

result<tso_grant> tso_core::issue(std::uint32_t count, std::uint64_t now_ms, bool lease_valid) {
  if (!leader_ || !lease_valid) {
    return error(errc::not_leader, leader_ ? "the TSO leader's lease is not valid"
                                           : "this replica is not the TSO leader");
  }
  if (count == 0 || count > config_.max_batch) {
    return error(errc::invalid_argument, "a TSO request must ask for 1.." +
                                             std::to_string(config_.max_batch) +
                                             " timestamps, not " + std::to_string(count));
  }
  if (now_ms > max_physical_ms - 2 * config_.window_ms) {
    return error(errc::invalid_argument, "clock reading " + std::to_string(now_ms) +
                                             " ms is beyond the timestamp range");
  }
  std::uint64_t mark_ms = physical_ms_of(last_issued_);
  if (!issued_this_term_ && now_ms < mark_ms && mark_ms - now_ms <= config_.window_ms) {
    tso_grant wait;  // see become_leader(); within the mark's own millisecond is not ahead
    wait.outcome = tso_grant::state::clock_behind;
    wait.retry_ms = mark_ms - now_ms;
    return wait;
  }
  // The clock's timestamp, unless the clock is behind what was issued (it went back, or a
  // previous leader's mark lies ahead of it): then continue from there. A batch that runs past
  // the logical counter carries into the physical part, which is how overflow advances it.
  std::uint64_t first = std::max(compose_ts(now_ms, 0), last_issued_ + 1);
  std::uint64_t last = first + count - 1;
  tso_grant grant;
  if (last >= persisted_hw_) {
    if (pending_hw_) {
      grant.outcome = tso_grant::state::waiting;
      return grant;
    }
    pending_hw_ = next_hw(last, now_ms);
    grant.outcome = tso_grant::state::persist_first;
    grant.persist_hw = pending_hw_;
    return grant;
  }
  last_issued_ = last;
  issued_this_term_ = true;
  grant.outcome = tso_grant::state::issued;
  grant.first_ts = first;
  grant.count = count;
  std::uint64_t headroom_ms = physical_ms_of(persisted_hw_) - physical_ms_of(last);
  if (!pending_hw_ && headroom_ms * 3 < config_.window_ms) {
    pending_hw_ = next_hw(last, now_ms);
    grant.persist_hw = pending_hw_;
  }
  return grant;
}

bool tso_core::on_persisted(std::uint64_t hw) {
  if (!leader_ || !pending_hw_ || *pending_hw_ != hw) return false;
  MERIDIAN_ASSERT(hw > persisted_hw_, "a requested mark must be above the persisted one");
  persisted_hw_ = hw;
  pending_hw_.reset();
  return true;
}

void tso_core::on_persist_failed(std::uint64_t hw) {
  if (pending_hw_ && *pending_hw_ == hw) pending_hw_.reset();
}

}  // namespace meridian::txn
