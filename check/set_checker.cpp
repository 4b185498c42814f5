// The set checker; see set_checker.hpp.
#include "check/set_checker.hpp"

#include <map>

namespace meridian::check {
namespace {

struct add_state {
  op_type outcome = op_type::info;
  std::int64_t complete_ns = 0;
  std::size_t line = 0;
  std::size_t seen = 0;  // times in the final read
};

// The last successful read, or null.
const paired_op* final_read(const std::vector<paired_op>& ops) {
  const paired_op* last = nullptr;
  for (const auto& p : ops) {
    if (p.f == "read" && p.outcome == op_type::ok && (!last || p.invoke_ns >= last->invoke_ns)) last = &p;
  }
  return last;
}

}  // namespace

check_result check_set(const history& h, set_summary* summary) {
  check_result out;
  set_summary local;
  set_summary& s = summary ? *summary : local;
  auto paired = pair_operations(h);
  if (!paired) {
    out.fail("malformed history: " + paired.err().message());
    return out;
  }
  std::map<std::string, add_state> adds;
  for (const auto& p : *paired) {
    ++out.operations;
    if (p.f == "read") continue;
    if (p.f != "add" || !p.invoke_value.is_string()) {
      out.reject("operation '" + p.f + "' at line " + std::to_string(p.index + 1) +
                 " is not a set operation (add of a string, or read)");
      continue;
    }
    if (!adds.emplace(p.invoke_value.as_string(), add_state{p.outcome, p.complete_ns, p.index + 1, 0}).second) {
      out.reject("'" + p.invoke_value.as_string() + "' is added twice (line " +
                 std::to_string(p.index + 1) + "): elements must be unique");
    }
    s.acknowledged += p.outcome == op_type::ok;
    s.failed += p.outcome == op_type::fail;
    s.unknown += p.outcome == op_type::info;
  }
  const paired_op* read = final_read(*paired);
  if (!read) {
    // Nothing to hold the adds against: Jepsen's set checker says :unknown here too.
    out.give_up("no successful final read, so nothing to check the adds against");
    return out;
  }
  if (!read->result_value.is_array()) {
    out.fail("the final read (line " + std::to_string(read->index + 1) + ") is not an array");
    return out;
  }
  for (const auto& e : read->result_value.as_array()) {
    ++s.present;
    auto it = e.is_string() ? adds.find(e.as_string()) : adds.end();
    if (it == adds.end()) {
      out.fail("unexpected: " + e.dump() + " is present but was never added");
      continue;
    }
    if (++it->second.seen == 2) out.fail("duplicated: '" + it->first + "' is present twice");
  }
  for (const auto& [element, a] : adds) {
    if (a.outcome == op_type::ok && a.seen == 0) {
      if (a.complete_ns <= read->invoke_ns) {
        out.fail("lost: '" + element + "' was acknowledged (line " + std::to_string(a.line) +
                 ") but is missing from the final read");
      }
    } else if (a.outcome == op_type::fail && a.seen > 0) {
      out.fail("failed but present: the add of '" + element + "' failed (line " +
               std::to_string(a.line) + ") yet it is in the final read");
    } else if (a.outcome == op_type::info && a.seen > 0) {
      ++s.recovered;
    }
  }
  return out;
}

}  // namespace meridian::check
