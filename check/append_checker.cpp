// The list-append checker: model, edges, cycles, and the report; see append_checker.hpp.
#include "check/append_checker.hpp"

#include <algorithm>

#include "check/append_model.hpp"
#include "check/cycle_classifier.hpp"

namespace meridian::check {
namespace {

const char* kind_name(kind_mask kind) {
  switch (kind) {
    case edge_kind::ww: return "ww";
    case edge_kind::wr: return "wr";
    case edge_kind::rw: return "rw";
    default: return "rt";
  }
}

// Why an edge holds, in the words of the history.
std::string explain(const append_model& m, const dep_edge& e) {
  std::string from = m.txn_name(e.from);
  std::string to = m.txn_name(e.to);
  if (e.kind == edge_kind::rt) {
    return from + " completed at " + std::to_string(m.txns()[e.from].complete_ns) + " ns, before " +
           to + " was invoked at " + std::to_string(m.txns()[e.to].invoke_ns) + " ns";
  }
  std::string key = "key " + m.key_name(e.key);
  std::string to_value = m.value_name(e.key, e.to_value);
  bool unread = !m.keys()[e.key].values[e.to_value].observed;
  std::string after_every_read = unread ? " (never read, so after every version read)" : "";
  if (e.kind == edge_kind::ww) {
    return to + " appended " + to_value + " to " + key + " after " + from + "'s " +
           m.value_name(e.key, e.from_value) + after_every_read;
  }
  if (e.kind == edge_kind::wr) return to + " read " + key + " up to " + from + "'s " + to_value;
  std::string read =
      e.from_value == no_id ? " empty" : " up to " + m.value_name(e.key, e.from_value);
  return from + " read " + key + read + ", missing " + to + "'s " + to_value + after_every_read;
}

// "G-single: T12 -ww(3)-> T40 -rw(5)-> T12: T40 appended 7 to key 3 after T12's 4; ...", starting
// from the earliest transaction so that a report reads the same whatever the search order.
std::string describe(const append_model& m, found_cycle c) {
  auto earliest =
      std::min_element(c.edges.begin(), c.edges.end(),
                       [](const dep_edge& a, const dep_edge& b) { return a.from < b.from; });
  std::rotate(c.edges.begin(), earliest, c.edges.end());
  std::string path = m.txn_name(c.edges.front().from);
  std::string why;
  for (const dep_edge& e : c.edges) {
    path += " -" + std::string(kind_name(e.kind));
    if (e.kind != edge_kind::rt) path += "(" + m.key_name(e.key) + ")";
    path += "-> " + m.txn_name(e.to);
    why += (why.empty() ? "" : "; ") + explain(m, e);
  }
  return path + ": " + why;
}

void record(append_result& out, const append_options& options, append_anomaly type,
            std::string text, std::vector<std::size_t>& lines) {
  const char* name = append_anomaly_name(type);
  ++out.counts[name];
  bool violation = is_violation(type, options);
  if (violation) {
    out.valid = false;
    ++out.violations;
  }
  if (lines[static_cast<std::size_t>(type)]++ >= options.max_lines_per_type) return;
  // A finding may quote a value: a huge one is cut, so a line stays a line.
  if (text.size() > 400) text = text.substr(0, 400) + "... (" + std::to_string(text.size()) + " bytes)";
  (violation ? out.anomalies : out.observations).push_back(std::string(name) + ": " + text);
}

}  // namespace

const char* append_anomaly_name(append_anomaly type) {
  static const char* const names[append_anomaly_count] = {"unchecked",
                                                          "internal",
                                                          "duplicate-elements",
                                                          "unknown-value",
                                                          "incompatible-order",
                                                          "G1a",
                                                          "G1b",
                                                          "lost-update",
                                                          "G0",
                                                          "G1c",
                                                          "G-single",
                                                          "G0-realtime",
                                                          "G1c-realtime",
                                                          "G-single-realtime",
                                                          "G-nonadjacent",
                                                          "G-nonadjacent-realtime",
                                                          "G2-item",
                                                          "G2-item-realtime"};
  return names[static_cast<std::size_t>(type)];
}

bool is_violation(append_anomaly type, const append_options& options) {
  if (type == append_anomaly::g2_item || type == append_anomaly::g2_item_realtime) {
    return options.isolation == isolation_level::serializable;
  }
  return true;
}

std::size_t append_result::count(append_anomaly type) const {
  auto it = counts.find(append_anomaly_name(type));
  return it == counts.end() ? 0 : it->second;
}

check_result append_result::to_check_result() const {
  check_result out;
  out.valid = valid;
  out.anomalies = anomalies;
  out.operations = transactions;
  // Every violation found, not only the lines kept (max_lines_per_type of each kind).
  out.violations = undecided ? 0 : std::max(violations, anomalies.size());
  out.malformed = malformed;
  return out;
}

append_result check_append(const history& h, const append_options& options) {
  append_result out;
  std::vector<std::size_t> lines(append_anomaly_count, 0);
  auto paired = pair_operations(h);
  if (!paired) {
    record(out, options, append_anomaly::unchecked, "malformed history: " + paired.err().message(),
           lines);
    return out;
  }
  if (paired->size() > options.max_transactions) {
    out.undecided = true;
    record(out, options, append_anomaly::unchecked,
           "the history has " + std::to_string(paired->size()) + " operations, more than the " +
               std::to_string(options.max_transactions) + " this check is bounded to",
           lines);
    return out;
  }
  std::vector<append_finding> findings;
  append_model m = append_model::build(std::move(*paired), findings);
  out.transactions = m.transactions();
  dependency_graph g(m.txns().size());
  if (!add_data_edges(m, g)) {
    out.observations.push_back(
        "note: anti-dependencies on appends no read shows were cut short "
        "at their edge budget; cycles through them may be missed");
  }
  if (options.strict) add_realtime_edges(m, g);
  g.finish();
  for (const append_txn& t : m.txns()) out.committed += t.committed ? 1 : 0;
  for (found_cycle& c : find_cycle_anomalies(g, options.strict)) {
    findings.push_back({c.type, describe(m, std::move(c))});
  }
  std::stable_sort(
      findings.begin(), findings.end(),
      [](const append_finding& a, const append_finding& b) { return a.type < b.type; });
  for (append_finding& f : findings) {
    out.malformed += f.malformed;
    record(out, options, f.type, std::move(f.text), lines);
  }
  return out;
}

}  // namespace meridian::check
