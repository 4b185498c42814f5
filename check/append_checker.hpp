// The list-append workload's checker (DESIGN.md "History files"), after Jepsen's Elle (Kingsbury &
// Alvaro, "Elle: Inferring Isolation Anomalies from Experimental Observations", VLDB 2020): it
// infers each key's version order from the lists read, builds the ww/wr/rw dependency graph (plus
// real-time edges in strict mode) and reports Adya's anomalies with concrete cycles. A transaction
// is named T<n>, n being the history line of its invocation. Pure; one call, one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "check/history.hpp"

namespace meridian::check {

// In the order reports list them: problems with single reads first, then cycles, weakest
// isolation level first (Adya's hierarchy: G0 < G1c < G-single < G-nonadjacent < G2-item).
enum class append_anomaly : std::uint8_t {
  unchecked,           // malformed input or a limit: part of the history could not be checked
  internal,            // a transaction's read disagrees with its own earlier reads and appends
  duplicate_elements,  // a read lists one value twice
  unknown_value,       // a read lists a value that no transaction appended
  incompatible_order,  // two reads of a key are not prefixes of one another
  g1a,                 // aborted read: a read saw a failed transaction's append
  g1b,                 // intermediate read: a read ended in a value its writer later extended
  lost_update,         // two committed transactions read the same version and both appended
  g0,                  // write cycle: ww edges only
  g1c,                 // circular information flow: ww and wr edges
  g_single,            // a cycle with exactly one anti-dependency (read skew, lost update)
  g0_realtime,         // these three: G0, G1c and G-single whose cycle needs real-time edges
  g1c_realtime,        // (strict mode only), e.g. a read that missed a write acknowledged
  g_single_realtime,   // before the reader began
  // A cycle with two or more anti-dependencies, no two of them adjacent (a long fork): snapshot
  // isolation forbids it (Cerone & Gotsman: every cycle of (ww | wr) ; rw? is a violation).
  g_nonadjacent,
  g_nonadjacent_realtime,  // as G-nonadjacent, but the cycle needs real-time edges too
  g2_item,             // a cycle with two or more anti-dependencies (write skew)
  g2_item_realtime,    // as G2-item, but the cycle needs real-time edges too
};
inline constexpr std::size_t append_anomaly_count = 18;
static_assert(static_cast<std::size_t>(append_anomaly::g2_item_realtime) + 1 ==
              append_anomaly_count);

// Elle's names: "G0", "G1c", "G-single", "G2-item", "G-single-realtime", "incompatible-order"...
const char* append_anomaly_name(append_anomaly type);

enum class isolation_level : std::uint8_t {
  // PROTOCOL.md "Isolation": everything but G2-item (write skew) is a violation.
  snapshot_isolation,
  serializable,  // G2-item too
};

struct append_options {
  isolation_level isolation = isolation_level::snapshot_isolation;
  // Adds real-time edges (a transaction acknowledged before another was invoked precedes it):
  // a cycle through them with at most one anti-dependency is then a stale read.
  bool strict = false;
  // The cycle search keeps up to two reachability closures of components² bits for a strongly
  // connected component; this bounds them (20,000 transactions: 100 MB at the very worst). A
  // longer history is reported unchecked.
  std::size_t max_transactions = 20'000;
  // Lines kept per anomaly type (counts stay exact), so that a flood of one kind cannot hide
  // another.
  std::size_t max_lines_per_type = 10;
};

// Whether `type` violates the requested isolation level (G2-item is allowed under snapshot
// isolation and is then an observation).
bool is_violation(append_anomaly type, const append_options& options);

struct append_result {
  bool valid = true;                      // no violation of the requested isolation level
  std::vector<std::string> anomalies;     // violations, one human-readable line each
  std::vector<std::string> observations;  // anomalies the level allows, and notes on the check
  // Every anomaly found, allowed or not, by name. Read-level anomalies count once per read (per
  // key for incompatible orders, per group for lost updates); cycle classes once per strongly
  // connected component that holds one, since a component holds many overlapping cycles.
  std::map<std::string, std::size_t> counts;
  std::size_t transactions = 0;  // txn operations in the history
  bool undecided = false;        // larger than the check is bounded to: neither valid nor not
  std::size_t malformed = 0;     // operations not shaped as the workload's (exit 2, not 1)
  std::size_t committed = 0;     // ok, plus info whose appends were read: the graph's nodes
  std::size_t violations = 0;    // anomalies that violate the level, lines kept or not

  std::size_t count(append_anomaly type) const;
  // The shape the other checkers return (anomalies only; observations are not failures).
  check_result to_check_result() const;
};

append_result check_append(const history& h, const append_options& options = {});

}  // namespace meridian::check
