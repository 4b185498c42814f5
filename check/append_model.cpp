// Parsing list-append transactions and inferring version orders; see append_model.hpp.
#include "check/append_model.hpp"

#include <algorithm>
#include <map>

namespace meridian::check {
namespace {

// DESIGN.md's workload writes 1–4 micro-operations; the bound leaves room to grow while keeping a
// garbage line from building a huge transaction.
constexpr std::size_t max_micro_ops = 64;
// Reads longer than this are shown as their ends around an ellipsis.
constexpr std::size_t max_listed_elements = 8;

bool is_key_or_value(const json& j) { return j.is_int() || j.is_string(); }

std::string list_text(const std::vector<const json*>& elements) {
  std::string out = "[";
  const std::size_t n = elements.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (n > max_listed_elements && i == 3) {
      out += "... " + std::to_string(n - 6) + " more ..., ";
      i = n - 3;
    }
    out += elements[i]->dump();
    if (i + 1 < n) out += ", ";
  }
  return out + "]";
}

// "" when the completion describes the same micro-operations as the invocation.
std::string compare_shapes(const json& invoked, const json& completed) {
  if (!invoked.is_array() || invoked.as_array().size() != completed.as_array().size()) {
    return "its completion lists other micro-operations than its invocation";
  }
  for (std::size_t i = 0; i < invoked.as_array().size(); ++i) {
    const json& a = invoked.as_array()[i];
    const json& b = completed.as_array()[i];
    bool same = a.is_array() && a.as_array().size() == 3 && a.as_array()[0] == b.as_array()[0] &&
                a.as_array()[1] == b.as_array()[1] &&
                (b.as_array()[0].as_string() != "append" || a.as_array()[2] == b.as_array()[2]);
    if (!same) {
      return "micro-operation " + std::to_string(i + 1) + " differs between invocation " +
             a.dump() + " and completion " + b.dump();
    }
  }
  return "";
}

}  // namespace

std::uint32_t key_info::intern(const json& value) {
  auto id = static_cast<std::uint32_t>(values.size());
  bool inserted = value.is_int() ? int_ids_.try_emplace(value.as_int(), id).second
                                 : other_ids_.try_emplace(value.dump(), id).second;
  if (inserted) {
    values.push_back(value_info{value});
    return id;
  }
  return value.is_int() ? int_ids_.at(value.as_int()) : other_ids_.at(value.dump());
}

std::string append_model::txn_name(std::uint32_t txn) const {
  return "T" + std::to_string(txns_[txn].line);
}
std::string append_model::key_name(std::uint32_t key) const { return keys_[key].key.dump(); }
std::string append_model::value_name(std::uint32_t key, std::uint32_t value) const {
  return keys_[key].values[value].value.dump();
}
std::string append_model::read_text(std::uint32_t key, const key_read& r) const {
  std::vector<const json*> elements;
  const std::uint32_t* ids = keys_[key].ids_of(r);
  for (std::size_t i = 0; i < r.length; ++i) elements.push_back(&keys_[key].values[ids[i]].value);
  return list_text(elements);
}

std::string append_model::parse_ops(const json& value, bool ok, std::vector<micro_op>& out,
                                    std::vector<const json::array*>& lists) {
  if (!value.is_array() || value.as_array().empty() || value.as_array().size() > max_micro_ops) {
    return "its value is not a list of 1 to " + std::to_string(max_micro_ops) +
           " micro-operations: " + value.dump();
  }
  for (const json& m : value.as_array()) {
    if (!m.is_array() || m.as_array().size() != 3 || !m.as_array()[0].is_string() ||
        !is_key_or_value(m.as_array()[1])) {
      return "micro-operation " + m.dump() + " is not [f, key, value]";
    }
    const std::string& f = m.as_array()[0].as_string();
    const json& arg = m.as_array()[2];
    auto [it, inserted] =
        key_ids_.try_emplace(m.as_array()[1].dump(), static_cast<std::uint32_t>(keys_.size()));
    if (inserted) {
      keys_.emplace_back();
      keys_.back().key = m.as_array()[1];
    }
    micro_op op;
    op.key = it->second;
    const json::array* list = nullptr;
    if (f == "append") {
      if (!is_key_or_value(arg)) return "append " + m.dump() + " has no integer or string value";
      op.is_append = true;
      op.value = keys_[op.key].intern(arg);
    } else if (f != "r") {
      return "micro-operation " + m.dump() + " is neither append nor r";
    } else if (ok && !arg.is_null()) {
      if (!arg.is_array()) return "read " + m.dump() + " did not return a list";
      if (!arg.as_array().empty()) list = &arg.as_array();
    }
    out.push_back(op);
    lists.push_back(list);
  }
  return "";
}

std::string append_model::parse_txn(const paired_op& p, append_txn& txn) {
  txn.line = p.index + 1;
  txn.outcome = p.outcome;
  txn.invoke_ns = p.invoke_ns;
  txn.complete_ns = p.complete_ns;
  bool ok = p.outcome == op_type::ok;
  // Only an ok completion knows what was read; otherwise the invocation says what was written.
  const json& value = ok ? p.result_value : p.invoke_value;
  std::vector<const json::array*> lists;
  std::string why = parse_ops(value, ok, txn.ops, lists);
  if (why.empty() && ok) why = compare_shapes(p.invoke_value, value);
  if (!why.empty()) return why;
  auto self = static_cast<std::uint32_t>(txns_.size());
  for (std::size_t i = 0; i < txn.ops.size(); ++i) {
    micro_op& op = txn.ops[i];
    if (op.is_append || !ok) continue;
    auto& reads = keys_[op.key].reads;
    op.read = static_cast<std::uint32_t>(reads.size());
    key_read r;
    r.txn = self;
    r.list = lists[i];
    r.length = lists[i] ? lists[i]->size() : 0;
    reads.push_back(std::move(r));
  }
  return "";
}

append_model append_model::build(std::vector<paired_op> ops,
                                 std::vector<append_finding>& findings) {
  append_model m;
  m.ops_ = std::move(ops);
  for (const paired_op& p : m.ops_) {
    if (p.f != "txn") {
      findings.push_back({append_anomaly::unchecked,
                          "line " + std::to_string(p.index + 1) + ": unknown operation '" + p.f + "'",
                          true});
      continue;
    }
    ++m.transactions_;
    append_txn txn;
    std::string why = m.parse_txn(p, txn);
    if (!why.empty()) {
      findings.push_back({append_anomaly::unchecked,
                          "T" + std::to_string(p.index + 1) + " is malformed (line " +
                              std::to_string(p.index + 1) + "): " + why,
                          true});
      continue;
    }
    m.txns_.push_back(std::move(txn));
  }
  m.index_appends(findings);
  for (std::uint32_t k = 0; k < m.keys_.size(); ++k) {
    m.infer_order(k, findings);
    m.scan_reads(k, findings);
  }
  for (std::uint32_t t = 0; t < m.txns_.size(); ++t) {
    append_txn& txn = m.txns_[t];
    if (txn.outcome == op_type::ok) m.check_internal(t, findings);
    txn.committed = txn.outcome == op_type::ok;
    for (const micro_op& op : txn.ops) {
      if (txn.outcome != op_type::info || !op.is_append) continue;
      const value_info& v = m.keys_[op.key].values[op.value];
      if (v.writer == t && v.observed) txn.committed = true;  // its commit became visible
    }
  }
  for (std::uint32_t k = 0; k < m.keys_.size(); ++k) m.find_lost_updates(k, findings);
  return m;
}

// The workload promises unique values per key, which is what makes a read traceable to one
// append; a repeated value breaks that promise and is reported rather than guessed around.
void append_model::index_appends(std::vector<append_finding>& findings) {
  for (std::uint32_t t = 0; t < txns_.size(); ++t) {
    std::map<std::uint32_t, std::uint32_t> appended;  // key -> count so far
    std::map<std::uint32_t, std::uint32_t> last;      // key -> value id
    for (const micro_op& op : txns_[t].ops) {
      if (!op.is_append) continue;
      value_info& v = keys_[op.key].values[op.value];
      if (v.writer != no_id) {
        findings.push_back({append_anomaly::unchecked,
                            "value " + v.value.dump() + " is appended to key " + key_name(op.key) +
                                " by both " + txn_name(v.writer) + " and " + txn_name(t) +
                                "; the workload promises unique values"});
        continue;
      }
      v.writer = t;
      v.append_index = appended[op.key]++;
      last[op.key] = op.value;
    }
    for (const auto& [key, value] : last) keys_[key].values[value].last_of_writer = true;
  }
}

void append_model::infer_order(std::uint32_t k, std::vector<append_finding>& findings) {
  key_info& key = keys_[k];
  if (key.reads.empty()) return;
  std::size_t longest = 0;
  for (std::size_t i = 1; i < key.reads.size(); ++i) {
    if (key.reads[i].length > key.reads[longest].length) longest = i;
  }
  const json::array* order = key.reads[longest].list;
  if (order) {
    for (const json& v : *order) key.order.push_back(key.intern(v));
  }
  std::size_t disagreeing = 0;
  for (key_read& r : key.reads) {
    std::size_t j = 0;
    while (j < r.length && (*r.list)[j] == (*order)[j]) ++j;
    if (j == r.length) continue;
    r.prefix = false;
    for (const json& v : *r.list) r.ids.push_back(key.intern(v));
    if (disagreeing++ > 0) continue;
    findings.push_back(
        {append_anomaly::incompatible_order,
         "key " + key_name(k) + ": " + txn_name(r.txn) + " read " + read_text(k, r) + " but " +
             txn_name(key.reads[longest].txn) + " read " + read_text(k, key.reads[longest]) +
             "; neither is a prefix of the other (position " + std::to_string(j + 1) + ": " +
             (*r.list)[j].dump() + " vs " + (*order)[j].dump() + ")"});
  }
  if (disagreeing > 1) {
    findings.back().text += "; " + std::to_string(disagreeing) + " reads disagree in all";
  }
  std::vector<bool> seen(key.values.size(), false);
  for (std::uint32_t id : key.order) {
    if (seen[id]) key.order_known = false;  // reported per read by scan_reads
    seen[id] = true;
  }
  if (disagreeing > 0) key.order_known = false;
  if (key.order_known) check_writer_order(k, findings);
}

// A transaction's appends to one key must show up in the order it made them, and a later one
// never without the earlier ones; the version order says nothing else about a single writer, so
// without this check a reversed pair would go unseen (no edge joins a transaction to itself).
void append_model::check_writer_order(std::uint32_t k, std::vector<append_finding>& findings) {
  const key_info& key = keys_[k];
  std::unordered_map<std::uint32_t, std::uint32_t> next;  // writer -> its next append's index
  for (std::uint32_t id : key.order) {
    const value_info& v = key.values[id];
    if (v.writer == no_id) continue;
    std::uint32_t& expected = next[v.writer];
    if (v.append_index != expected) {
      std::vector<const json*> appends;
      for (const micro_op& op : txns_[v.writer].ops) {
        if (op.is_append && op.key == k) appends.push_back(&key.values[op.value].value);
      }
      const key_read& longest = *std::max_element(
          key.reads.begin(), key.reads.end(),
          [](const key_read& a, const key_read& b) { return a.length < b.length; });
      findings.push_back({append_anomaly::incompatible_order,
                          "key " + key_name(k) + ": " + txn_name(v.writer) + " appended " +
                              list_text(appends) + " in that order, but " + txn_name(longest.txn) +
                              " read " + read_text(k, longest)});
      return;
    }
    expected = v.append_index + 1;
  }
}

void append_model::scan_reads(std::uint32_t k, std::vector<append_finding>& findings) {
  key_info& key = keys_[k];
  std::vector<std::uint32_t> seen_by(key.values.size(), no_id);  // the read that last listed it
  for (std::uint32_t i = 0; i < key.reads.size(); ++i) {
    const key_read& r = key.reads[i];
    const std::uint32_t* ids = key.ids_of(r);
    std::uint32_t repeated = no_id, unknown = no_id, aborted = no_id;
    for (std::size_t j = 0; j < r.length; ++j) {
      value_info& v = key.values[ids[j]];
      v.observed = true;
      if (seen_by[ids[j]] == i && repeated == no_id) repeated = ids[j];
      seen_by[ids[j]] = i;
      if (v.writer == no_id && unknown == no_id) unknown = ids[j];
      if (v.writer != no_id && txns_[v.writer].outcome == op_type::fail && aborted == no_id) {
        aborted = ids[j];
      }
    }
    std::string what = txn_name(r.txn) + " read key " + key_name(k) + " = " + read_text(k, r);
    if (repeated != no_id) {
      findings.push_back({append_anomaly::duplicate_elements,
                          what + ", which lists " + value_name(k, repeated) + " twice"});
    }
    if (unknown != no_id) {
      findings.push_back(
          {append_anomaly::unknown_value,
           what + ", which lists " + value_name(k, unknown) + " that no transaction appended"});
    }
    if (aborted != no_id) {
      findings.push_back(
          {append_anomaly::g1a, what + ", which lists " + value_name(k, aborted) + " appended by " +
                                    txn_name(key.values[aborted].writer) + ", which failed"});
    }
    if (r.length == 0) continue;
    const value_info& last = key.values[ids[r.length - 1]];
    if (last.writer == no_id || last.writer == r.txn || last.last_of_writer ||
        txns_[last.writer].outcome == op_type::fail) {
      continue;
    }
    findings.push_back({append_anomaly::g1b, what + ", ending in " + last.value.dump() +
                                                 ", which " + txn_name(last.writer) +
                                                 " went on to extend with further appends"});
  }
}

// Within one transaction a read must show the transaction's own earlier reads and appends (Elle's
// "internal" consistency): exactly the last read plus what was appended since, or, before any
// read, a list ending in what was appended.
void append_model::check_internal(std::uint32_t t, std::vector<append_finding>& findings) const {
  struct key_state {
    std::uint32_t key;
    const key_read* last_read = nullptr;
    std::vector<const json*> appended;
  };
  std::vector<key_state> states;
  const auto& ops = txns_[t].ops;
  for (std::size_t at = 0; at < ops.size(); ++at) {
    const micro_op& op = ops[at];
    if (!op.is_append) find_future_read(t, at, findings);
    auto it = std::find_if(states.begin(), states.end(),
                           [&](const key_state& s) { return s.key == op.key; });
    if (it == states.end()) {
      states.emplace_back();
      states.back().key = op.key;
      it = states.end() - 1;
    }
    const key_info& key = keys_[op.key];
    if (op.is_append) {
      it->appended.push_back(&key.values[op.value].value);
      continue;
    }
    const key_read& r = key.reads[op.read];
    std::vector<const json*> expected;
    if (it->last_read && it->last_read->list) {
      for (const json& v : *it->last_read->list) expected.push_back(&v);
    }
    expected.insert(expected.end(), it->appended.begin(), it->appended.end());
    std::size_t must_match = it->last_read ? expected.size() : it->appended.size();
    bool consistent = it->last_read ? r.length == expected.size() : r.length >= must_match;
    for (std::size_t i = 0; consistent && i < must_match; ++i) {
      consistent =
          (*r.list)[r.length - must_match + i] == *expected[expected.size() - must_match + i];
    }
    if (!consistent) {
      findings.push_back({append_anomaly::internal,
                          txn_name(t) + " read key " + key_name(op.key) + " = " +
                              read_text(op.key, r) + ", but its own earlier operations imply " +
                              (it->last_read ? "" : "a list ending in ") + list_text(expected)});
    }
    it->last_read = &r;
    it->appended.clear();
  }
}

// A read that already holds a value its own transaction appends only after it: the read saw the
// future, which no isolation level allows (the first read of a key is otherwise unconstrained
// by the transaction's later appends, and a self-edge would never close a cycle).
void append_model::find_future_read(std::uint32_t t, std::size_t at,
                                    std::vector<append_finding>& findings) const {
  const auto& ops = txns_[t].ops;
  const micro_op& read = ops[at];
  const key_info& key = keys_[read.key];
  const key_read& r = key.reads[read.read];
  if (!r.list) return;
  for (std::size_t later = at + 1; later < ops.size(); ++later) {
    const micro_op& op = ops[later];
    if (!op.is_append || op.key != read.key) continue;
    const json& v = key.values[op.value].value;
    if (std::find(r.list->begin(), r.list->end(), v) == r.list->end()) continue;
    findings.push_back({append_anomaly::internal,
                        txn_name(t) + " read key " + key_name(read.key) + " = " +
                            read_text(read.key, r) + ", which holds " + v.dump() +
                            " that the transaction appends only after that read"});
    return;
  }
}

// Two committed transactions that read the same version of a key and both appended to it: each
// overwrote a version the other had read, which snapshot isolation's first-committer-wins rule
// forbids. Found here as well as by the graph because, when neither append is ever read, the
// G-single cycle lacks the ww edge that would close it.
void append_model::find_lost_updates(std::uint32_t k, std::vector<append_finding>& findings) const {
  const key_info& key = keys_[k];
  if (!key.order_known) return;
  struct reader {
    const key_read* read;
    std::uint32_t appended;
  };
  std::map<std::size_t, std::vector<reader>> by_version;
  for (const key_read& r : key.reads) {
    const append_txn& txn = txns_[r.txn];
    const micro_op* first = nullptr;
    const micro_op* append = nullptr;
    for (const micro_op& op : txn.ops) {
      if (op.key != k) continue;
      if (!first) first = &op;
      if (op.is_append && !append) append = &op;
    }
    // Only the transaction's first read of the key, and only when an append follows it.
    if (first->is_append || &key.reads[first->read] != &r || !append) continue;
    by_version[r.length].push_back(reader{&r, append->value});
  }
  for (const auto& [length, readers] : by_version) {
    if (readers.size() < 2) continue;
    std::string names, appends;
    for (const reader& r : readers) {
      names += (names.empty() ? "" : " and ") + txn_name(r.read->txn);
      appends += (appends.empty() ? "" : ", ") + txn_name(r.read->txn) + " appended " +
                 value_name(k, r.appended);
    }
    findings.push_back(
        {append_anomaly::lost_update,
         "key " + key_name(k) + ": " + names + (readers.size() == 2 ? " both" : " all") + " read " +
             read_text(k, *readers.front().read) + " and then appended to it (" + appends + ")"});
  }
}

}  // namespace meridian::check
