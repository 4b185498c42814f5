// The register linearizability checker; see register_checker.hpp.
#include "check/register_checker.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace meridian::check {
namespace {

struct reg_op {
  std::string f;
  json arg;     // write: value; cas: [old, new]; read: the value read (ok reads only)
  bool completed = false;  // ok (must be linearized) vs info (may be)
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = 0;
  std::size_t history_index = 0;
};

struct event {
  int op = -1;
  bool is_call = true;
  event* prev = nullptr;
  event* next = nullptr;
  event* match = nullptr;  // call -> return (null for info), return -> call
};

bool step(const json& state, const reg_op& op, json& next) {
  if (op.f == "read") {
    next = state;
    return op.arg == state;
  }
  if (op.f == "write") {
    next = op.arg;
    return true;
  }
  // cas
  if (!op.arg.is_array() || op.arg.as_array().size() != 2) return false;
  if (!(op.arg.as_array()[0] == state)) return false;
  next = op.arg.as_array()[1];
  return true;
}

class key_search {
 public:
  explicit key_search(std::vector<reg_op> ops) : ops_(std::move(ops)) {}
  // run() stopped at its step bound: its answer is "could not decide", not a violation.
  bool gave_up() const { return gave_up_; }

  // Returns "" when linearizable, else a description of the problem.
  std::string run(std::size_t max_steps) {
    build_events();
    std::vector<bool> linearized(ops_.size(), false);
    std::size_t remaining = 0;
    for (const auto& op : ops_) remaining += op.completed ? 1 : 0;
    json state;  // registers start as null
    std::vector<std::pair<event*, json>> stack;
    std::unordered_set<std::string> seen;
    event* entry = head_.next;
    for (std::size_t steps = 0; remaining > 0; ++steps) {
      if (steps > max_steps) {
        gave_up_ = true;
        return "search gave up after " + std::to_string(max_steps) + " steps";
      }
      MERIDIAN_ASSERT(entry != nullptr, "ran off the event list with completed ops left");
      if (entry->is_call) {
        json next;
        const reg_op& op = ops_[static_cast<std::size_t>(entry->op)];
        if (step(state, op, next)) {
          linearized[static_cast<std::size_t>(entry->op)] = true;
          if (seen.insert(memo_key(linearized, next)).second) {
            stack.emplace_back(entry, state);
            state = std::move(next);
            lift(entry);
            if (op.completed) --remaining;
            entry = head_.next;
            continue;
          }
          linearized[static_cast<std::size_t>(entry->op)] = false;
        }
        entry = entry->next;
        continue;
      }
      // A completed operation's return was reached before it could be placed: backtrack. The
      // operation stuck at the deepest point of the search is the most useful one to report.
      if (stack.size() >= deepest_) {
        deepest_ = stack.size();
        stuck_ = static_cast<std::size_t>(entry->op);
      }
      if (stack.empty()) return describe(stuck_);
      auto [call, previous] = std::move(stack.back());
      stack.pop_back();
      linearized[static_cast<std::size_t>(call->op)] = false;
      state = std::move(previous);
      unlift(call);
      if (ops_[static_cast<std::size_t>(call->op)].completed) ++remaining;
      entry = call->next;
    }
    return "";
  }

 private:
  void build_events() {
    struct timed {
      std::int64_t t;
      int order;  // calls before returns at equal times: treat them as concurrent
      event* e;
    };
    std::vector<timed> all;
    storage_.reserve(ops_.size() * 2);
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      storage_.push_back(event{static_cast<int>(i), true});
      event* call = &storage_.back();
      all.push_back({ops_[i].invoke_ns, 0, call});
      if (ops_[i].completed) {
        storage_.push_back(event{static_cast<int>(i), false});
        event* ret = &storage_.back();
        call->match = ret;
        ret->match = call;
        all.push_back({ops_[i].complete_ns, 1, ret});
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const timed& a, const timed& b) {
      return a.t != b.t ? a.t < b.t : a.order < b.order;
    });
    event* tail = &head_;
    for (auto& t : all) {
      tail->next = t.e;
      t.e->prev = tail;
      tail = t.e;
    }
  }
  static void unlink(event* e) {
    e->prev->next = e->next;
    if (e->next) e->next->prev = e->prev;
  }
  static void relink(event* e) {
    e->prev->next = e;
    if (e->next) e->next->prev = e;
  }
  void lift(event* call) {
    unlink(call);
    if (call->match) unlink(call->match);
  }
  void unlift(event* call) {
    if (call->match) relink(call->match);
    relink(call);
  }
  static std::string memo_key(const std::vector<bool>& bits, const json& state) {
    std::string k;
    k.reserve(bits.size() / 8 + 16);
    char byte = 0;
    for (std::size_t i = 0; i < bits.size(); ++i) {
      if (bits[i]) byte = static_cast<char>(byte | (1 << (i % 8)));
      if (i % 8 == 7) {
        k.push_back(byte);
        byte = 0;
      }
    }
    k.push_back(byte);
    return k + "|" + state.dump();
  }
  std::string describe(std::size_t i) const {
    const reg_op& op = ops_[i];
    return "no linearization explains " + op.f + " " + op.arg.dump() + " (the search placed " +
           std::to_string(deepest_) + " operations before it got stuck here)" +
           "; invoked at " + std::to_string(op.invoke_ns) + " ns, completed at " +
           std::to_string(op.complete_ns) + " ns, history line " +
           std::to_string(op.history_index + 1);
  }

  std::vector<reg_op> ops_;
  bool gave_up_ = false;
  std::vector<event> storage_;  // reserved up front: pointers stay valid
  std::size_t deepest_ = 0;
  std::size_t stuck_ = 0;
  event head_;
};

// Why `p` is not a register operation of this workload, or "" when it is one: read, write or
// cas of [key, value] (cas: [key, [old, new]]), keys integers or strings, and an ok completion
// that echoes a value carries the one invoked (or, for a read, [key, value read]).
std::string register_shape(const paired_op& p) {
  std::string at = " (line " + std::to_string(p.index + 1) + ")";
  std::string done_at = " (line " + std::to_string(p.complete_index + 1) + ")";
  if (p.f != "read" && p.f != "write" && p.f != "cas") {
    return "'" + p.f + "' is not a register operation (read, write or cas)" + at;
  }
  auto pair_of = [](const json& v) { return v.is_array() && v.as_array().size() == 2; };
  if (!pair_of(p.invoke_value)) return p.f + " value is not [key, value]" + at;
  const json& key = p.invoke_value.as_array()[0];
  if (!key.is_int() && !key.is_string()) return p.f + " key is not an integer or a string" + at;
  if (p.f == "cas" && !pair_of(p.invoke_value.as_array()[1])) {
    return "cas value is not [key, [old, new]]" + at;
  }
  if (p.outcome != op_type::ok) return "";
  if (p.f == "read") {
    if (!pair_of(p.result_value) || !(p.result_value.as_array()[0] == key)) {
      return "read result is not [key, value] of the key read" + done_at;
    }
    return "";
  }
  if (!p.result_value.is_null() && !(p.result_value == p.invoke_value)) {
    return p.f + " completes with " + p.result_value.dump().substr(0, 80) +
           ", not the value it was invoked with" + done_at;
  }
  return "";
}

}  // namespace

check_result check_registers(const history& h, const register_options& options) {
  check_result out;
  auto paired = pair_operations(h);
  if (!paired) {
    out.reject(paired.err().message());
    return out;
  }
  std::map<std::string, std::vector<reg_op>> by_key;
  for (const auto& p : *paired) {
    if (auto shape = register_shape(p); !shape.empty()) {
      out.reject(shape);
      continue;
    }
    if (p.outcome == op_type::fail) continue;  // did not happen
    bool completed = p.outcome == op_type::ok;
    if (p.f == "read" && !completed) continue;  // an unknown read constrains nothing
    reg_op op;
    op.f = p.f;
    op.completed = completed;
    op.invoke_ns = p.invoke_ns;
    op.complete_ns = p.complete_ns;
    op.history_index = p.index;
    op.arg = p.f == "read" ? p.result_value.as_array()[1] : p.invoke_value.as_array()[1];
    by_key[p.invoke_value.as_array()[0].dump()].push_back(std::move(op));
    ++out.operations;
  }
  for (auto& [key, ops] : by_key) {
    key_search search(std::move(ops));
    std::string problem = search.run(options.max_steps_per_key);
    if (problem.empty()) continue;
    if (search.gave_up()) {
      out.give_up("key " + key + ": " + problem);
    } else {
      out.fail("key " + key + ": " + problem);
    }
  }
  return out;
}

}  // namespace meridian::check
