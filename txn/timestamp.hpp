// Timestamps (PROTOCOL.md "Timestamps"): `ts = physical_ms << 18 | logical`, and tso_core, the
// pure core of the timestamp oracle. The TSO actor owns one tso_core, runs it on its own thread,
// feeds it the clock and the lease, and performs the high-water-mark writes it asks for.
// Everything here is plain arithmetic over arguments: no clock is read.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.hpp"

namespace meridian::txn {

inline constexpr unsigned logical_bits = 18;
inline constexpr std::uint64_t max_logical = (std::uint64_t{1} << logical_bits) - 1;
// Physical milliseconds must fit in the 46 bits above the logical counter (until year 4199).
inline constexpr std::uint64_t max_physical_ms = (std::uint64_t{1} << (64 - logical_bits)) - 1;

// REQUIRES: physical_ms <= max_physical_ms, logical <= max_logical.
std::uint64_t compose_ts(std::uint64_t physical_ms, std::uint64_t logical);
constexpr std::uint64_t physical_ms_of(std::uint64_t ts) { return ts >> logical_bits; }
constexpr std::uint64_t logical_of(std::uint64_t ts) { return ts & max_logical; }

// PROTOCOL.md "Lock TTLs are measured in the physical part of TSO timestamps": a lock has expired
// when current_ts is more than ttl_ms past start_ts. A current_ts below start_ts never expires it.
bool ttl_expired(std::uint64_t start_ts, std::uint64_t ttl_ms, std::uint64_t current_ts);

// PROTOCOL.md: a read_ts or caller_ts whose physical part lies further ahead of the shard
// leader's clock than the TSO's window is refused (invalid_argument): it would push every later
// commit into the future. `what` names the timestamp in the message ("read_ts", "caller_ts").
status check_not_ahead(const char* what, std::uint64_t ts, std::uint64_t leader_clock_ms,
                       std::uint64_t window_ms);

struct tso_config {
  // How far ahead of the clock the persisted high-water mark is set. A larger window means fewer
  // meta-shard writes, and a longer jump forward for the next leader after a failover.
  std::uint64_t window_ms = 3000;
  // Timestamps one request may ask for (one round trip serves the requests already waiting).
  std::uint32_t max_batch = 4096;

  status validate() const;
};

// What issue() answers.
struct tso_grant {
  enum class state : std::uint8_t {
    issued,          // timestamps first_ts .. first_ts + count - 1 are the caller's
    persist_first,   // persist persist_hw, confirm with on_persisted(), then ask again
    waiting,         // a persist is in flight: ask again after on_persisted()
    clock_behind,    // a new leader's clock is still below the mark: ask again after retry_ms
  };
  state outcome = state::waiting;
  std::uint64_t first_ts = 0;
  std::uint32_t count = 0;
  // persist_first: the mark to persist. issued: an early extension (the headroom ran below a
  // third of the window); persisting it keeps later requests from stalling.
  std::optional<std::uint64_t> persist_hw;
  // clock_behind: how long until the clock passes the mark the term started at.
  std::uint64_t retry_ms = 0;
};

// Issues unique, strictly increasing timestamps, never one >= the persisted high-water mark.
// Invariant: last_issued() < persisted_hw() whenever leader and something was issued this term.
// Invariant: a requested mark is always above every timestamp issued or about to be.
class tso_core {
 public:
  // REQUIRES: config.validate().ok().
  explicit tso_core(tso_config config);

  // The caller won the meta shard's election AND waited until the previous leader's lease
  // expired; persisted_hw is the last mark in the meta shard's log. Issuing resumes above it
  // (the previous leader issued only below it), after a larger mark is persisted. The mark lies
  // up to a window ahead of the clock, so issuing at once would put timestamps ahead of every
  // clock (an AS OF SYSTEM TIME a second after a commit would not see it), and each of a few
  // quick restarts would add another window. So the first issue waits (clock_behind) until the
  // clock passes the mark, when that is at most a window away; a clock further behind (it was
  // set back) continues above the mark at once instead.
  void become_leader(std::uint64_t persisted_hw);
  // Leadership lost: nothing is issued, a persist still in flight is forgotten.
  void step_down();
  bool is_leader() const { return leader_; }

  // Asks for `count` timestamps at clock reading now_ms. lease_valid: the caller's leader lease
  // holds now. Errors: not_leader (deposed, or the lease is not valid), invalid_argument (count
  // is 0 or above max_batch).
  result<tso_grant> issue(std::uint32_t count, std::uint64_t now_ms, bool lease_valid);

  // The mark asked for was persisted (applied from the meta shard's log). A confirmation that is
  // stale (another term, another mark) is ignored; returns whether it was taken.
  bool on_persisted(std::uint64_t hw);
  // The persist failed; the next issue() asks again.
  void on_persist_failed(std::uint64_t hw);

  // At a clean shutdown: a mark just above the last timestamp issued, lower than the persisted
  // one, which the next start may resume from without waiting for the clock; nullopt when
  // nothing was issued this term (the persisted mark stays).
  std::optional<std::uint64_t> closing_hw() const;

  std::uint64_t last_issued() const { return last_issued_; }
  std::uint64_t persisted_hw() const { return persisted_hw_; }
  std::optional<std::uint64_t> pending_hw() const { return pending_hw_; }

 private:
  // The mark to ask for so that timestamps up to `through` may be issued.
  std::uint64_t next_hw(std::uint64_t through, std::uint64_t now_ms) const;

  tso_config config_;
  bool leader_ = false;
  bool issued_this_term_ = false;
  std::uint64_t last_issued_ = 0;
  std::uint64_t persisted_hw_ = 0;
  std::optional<std::uint64_t> pending_hw_;
};

}  // namespace meridian::txn
