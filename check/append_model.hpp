// The list-append history as the append checker sees it: transactions with interned keys and
// values, the version order of each key inferred from its reads (Elle: lists are traceable, so
// the longest read orders every append it shows), and the anomalies visible without a graph
// (internal, G1a, G1b, incompatible order, duplicates, lost update). Built once per check_append
// call on one thread; after build() it is read-only.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "check/append_checker.hpp"
#include "check/dependency_graph.hpp"

namespace meridian::check {

struct append_finding {
  append_anomaly type;
  std::string text;
  bool malformed = false;  // the input breaks the history's shape, not the database's promise
};

struct micro_op {
  bool is_append = false;
  std::uint32_t key = 0;
  std::uint32_t value = no_id;  // append: the value's id within its key
  std::uint32_t read = no_id;   // ok read: its index in the key's reads
};

struct append_txn {
  std::size_t line = 0;  // history line of the invocation (T<line> in reports)
  op_type outcome = op_type::info;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = 0;  // INT64_MAX when the outcome is unknown
  std::vector<micro_op> ops;
  bool committed = false;  // ok, or info with an append some read observed: a graph node
};

struct value_info {
  json value;
  std::uint32_t writer = no_id;    // transaction index; no_id when nobody appended it
  std::uint32_t append_index = 0;  // its place among the writer's appends to this key
  bool last_of_writer = false;     // the writer's final append to this key
  bool observed = false;           // some ok read lists it
};

struct key_read {
  std::uint32_t txn = 0;
  const json::array* list = nullptr;  // nullptr: read empty (null or [])
  std::size_t length = 0;
  bool prefix = true;              // a prefix of the key's longest read
  std::vector<std::uint32_t> ids;  // the value ids, kept only when not a prefix
};

struct key_info {
  json key;
  std::vector<value_info> values;
  std::vector<key_read> reads;       // the ok reads, in history order
  std::vector<std::uint32_t> order;  // ids of the longest read: the version order
  bool order_known = true;           // false when reads disagree or repeat a value

  std::uint32_t intern(const json& value);
  // The ids a read lists (a prefix of `order`, or its own ids).
  const std::uint32_t* ids_of(const key_read& r) const {
    return r.prefix ? order.data() : r.ids.data();
  }

 private:
  std::unordered_map<std::int64_t, std::uint32_t> int_ids_;  // the common case, without dump()
  std::unordered_map<std::string, std::uint32_t> other_ids_;
};

class append_model {
 public:
  // REQUIRES: `ops` are the history's paired operations. Findings are appended to `findings`.
  static append_model build(std::vector<paired_op> ops, std::vector<append_finding>& findings);

  const std::vector<append_txn>& txns() const { return txns_; }
  const std::vector<key_info>& keys() const { return keys_; }
  std::size_t transactions() const { return transactions_; }

  std::string txn_name(std::uint32_t txn) const;
  std::string key_name(std::uint32_t key) const;
  std::string value_name(std::uint32_t key, std::uint32_t value) const;
  std::string read_text(std::uint32_t key, const key_read& r) const;

 private:
  std::string parse_txn(const paired_op& p, append_txn& txn);
  std::string parse_ops(const json& value, bool ok, std::vector<micro_op>& out,
                        std::vector<const json::array*>& lists);
  void index_appends(std::vector<append_finding>& findings);
  void infer_order(std::uint32_t key, std::vector<append_finding>& findings);
  void check_writer_order(std::uint32_t key, std::vector<append_finding>& findings);
  void scan_reads(std::uint32_t key, std::vector<append_finding>& findings);
  void check_internal(std::uint32_t txn, std::vector<append_finding>& findings) const;
  void find_future_read(std::uint32_t t, std::size_t at, std::vector<append_finding>& findings) const;
  void find_lost_updates(std::uint32_t key, std::vector<append_finding>& findings) const;

  std::vector<paired_op> ops_;  // owns the JSON the reads point into
  std::vector<append_txn> txns_;
  std::vector<key_info> keys_;
  std::unordered_map<std::string, std::uint32_t> key_ids_;
  std::size_t transactions_ = 0;
};

// Elle's dependency edges from the version orders: ww between successive versions, wr from a
// version's writer to its readers, rw from a reader to the writer of the version after the one it
// read. Appends by committed transactions that no read shows came after every read version.
// Returns false when the last kind of inference hit its edge budget and was cut short.
bool add_data_edges(const append_model& m, dependency_graph& g);
// Real-time edges between the graph's nodes (dependency_graph.hpp's add_realtime_edges): an info
// transaction's completion is unknown, so it precedes nothing.
void add_realtime_edges(const append_model& m, dependency_graph& g);

}  // namespace meridian::check
