// EXPLAIN's rendering; see plan_printer.hpp. The round-trip estimate counts one read per
// point-get batch and per index lookup stage, at least one per scan ("+" when more pages may
// follow), the catalog read, the timestamp and the commit the cluster view predicts.
#include "query/plan_printer.hpp"

#include <algorithm>
#include <set>

#include "query/keys.hpp"
#include "query/query_limits.hpp"
#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

using namer = std::function<std::string(int)>;

const char* function_name(function_id f) {
  switch (f) {
    case function_id::abs: return "abs";
    case function_id::lower: return "lower";
    case function_id::upper: return "upper";
    case function_id::length: return "length";
    case function_id::round: return "round";
    case function_id::now: return "now";
    case function_id::gen_id: return "gen_id";
  }
  return "?";
}

std::string list_text(const std::vector<bound_expr>& items, std::size_t from, const namer& name,
                      const char* sep = ", ") {
  std::string out;
  for (std::size_t i = from; i < items.size(); ++i) {
    if (i > from) out += sep;
    out += expr_text(items[i], name);
  }
  return out;
}

struct explain_state {
  const cluster_view& view;
  std::vector<std::string> lines;
  std::set<std::string> shards;
  std::uint32_t reads = 1;  // the catalog read of the table descriptors
  bool more_reads = false;

  void line(int depth, const std::string& text) {
    lines.push_back(std::string(static_cast<std::size_t>(depth) * 2, ' ') + text);
  }
  void touch(std::string_view start, std::string_view end) {
    for (auto& s : view.shards_for(start, end)) shards.insert(std::move(s));
  }
  void touch_table(const table_descriptor& t) {
    std::string p = keys::table_prefix(t.id);
    touch(p, storage::codec::prefix_end(p));
  }
};

namer table_namer(const scope_table& t, bool qualify) {
  return [&t, qualify](int slot) {
    const std::string& c = t.table->columns[static_cast<std::size_t>(slot)].name;
    return qualify ? t.alias + "." + c : c;
  };
}

namer scope_namer(const scope& s) {
  bool qualify = s.tables.size() > 1;
  return [&s, qualify](int slot) {
    for (std::size_t i = s.tables.size(); i-- > 0;) {
      if (slot >= s.tables[i].first_slot) {
        const auto& c = s.tables[i].table->columns[static_cast<std::size_t>(slot - s.tables[i].first_slot)];
        return qualify ? s.tables[i].alias + "." + c.name : c.name;
      }
    }
    return std::string("?");
  };
}

std::string access_text(const table_access& a, const namer& name, explain_state& st) {
  const auto& t = *a.source.table;
  std::string table = a.source.alias == t.name ? t.name : t.name + " AS " + a.source.alias;
  std::string cond = list_text(a.key_conditions, 0, name, " AND ");
  if (a.empty) return "empty read of " + table + " (a condition is never true)";
  switch (a.kind) {
    case access_kind::point_get: {
      for (const auto& k : a.keys) st.touch(k, k + std::string(1, '\0'));
      st.reads += static_cast<std::uint32_t>((a.keys.size() + query_limits::lookup_batch_keys - 1) /
                                             query_limits::lookup_batch_keys);
      std::string kind = a.keys.size() == 1 ? "point get " : "batch point get (" +
                                                                 std::to_string(a.keys.size()) +
                                                                 " keys) ";
      return kind + table + " by primary key: " + cond;
    }
    case access_kind::range_scan:
      st.touch(a.start, a.end);
      st.more_reads = true;
      ++st.reads;
      return "primary key range scan " + table + ": " + cond;
    case access_kind::full_scan:
      st.touch(a.start, a.end);
      st.more_reads = true;
      ++st.reads;
      return "full scan " + table;
    case access_kind::index_point:
      st.touch_table(t);
      st.reads += 2;
      return "unique index lookup " + table + " via " + a.index->name + ": " + cond;
    case access_kind::index_scan:
      st.touch_table(t);
      st.reads += 2;
      st.more_reads = true;
      return "index scan " + table + " via " + a.index->name + (cond.empty() ? "" : ": " + cond);
    case access_kind::no_table: break;
  }
  return "one row (no table)";
}

void print_access(const table_access& a, int depth, explain_state& st) {
  if (a.kind == access_kind::no_table) {
    st.line(depth, "one row (no FROM)");
    return;
  }
  namer name = table_namer(a.source, false);
  st.line(depth, access_text(a, name, st));
  if (!a.filter.empty()) st.line(depth + 1, "filter: " + list_text(a.filter, 0, name, " AND "));
}

std::string lookup_text(const join_step& j, const namer& outer) {
  const auto& t = *j.inner.source.table;
  std::vector<int> columns = j.inner.kind == access_kind::point_get ? t.primary_key_positions()
                                                                    : t.index_positions(*j.inner.index);
  std::string via = j.inner.kind == access_kind::point_get ? "primary key" : "index " + j.inner.index->name;
  std::string keys;
  for (std::size_t i = 0; i < j.lookup_values.size(); ++i) {
    if (i > 0) keys += " AND ";
    keys += j.inner.source.alias + "." + t.columns[static_cast<std::size_t>(columns[i])].name + " = " +
            expr_text(j.lookup_values[i], outer);
  }
  return "lookup join " + j.inner.source.alias + " by " + via + ": " + keys;
}

void print_joins(const select_plan& p, std::size_t count, int depth, explain_state& st) {
  if (count == 0) return print_access(p.first, depth, st);
  const join_step& j = p.joins[count - 1];
  namer combined = scope_namer(p.query.from);
  if (j.kind == join_kind::lookup) {
    st.line(depth, lookup_text(j, combined));
    st.touch_table(*j.inner.source.table);
    ++st.reads;
    st.more_reads = true;
    if (!j.inner.filter.empty()) {
      st.line(depth + 1, "inner filter: " +
                             list_text(j.inner.filter, 0, table_namer(j.inner.source, true), " AND "));
    }
  } else {
    std::string head = j.kind == join_kind::hash ? "hash join" : "nested loop join";
    st.line(depth, head + (j.filter.empty() ? "" : " on " + list_text(j.filter, 0, combined, " AND ")));
  }
  if (j.kind == join_kind::lookup && !j.filter.empty()) {
    st.line(depth + 1, "join filter: " + list_text(j.filter, 0, combined, " AND "));
  }
  print_joins(p, count - 1, depth + 1, st);
  if (j.kind != join_kind::lookup) print_access(j.inner, depth + 1, st);
}

void print_select(const select_plan& p, explain_state& st) {
  const bound_select& q = p.query;
  namer input = scope_namer(q.from);
  namer grouped = [&q, &input](int slot) {
    std::size_t s = static_cast<std::size_t>(slot);
    if (s < q.agg.group_keys.size()) return expr_text(q.agg.group_keys[s], input);
    return q.agg.calls[s - q.agg.group_keys.size()].text;
  };
  const namer& above = q.aggregate ? grouped : input;
  int depth = 0;
  if (q.limit || q.offset > 0) {
    st.line(depth++, "limit " + (q.limit ? std::to_string(*q.limit) : std::string("all")) +
                         (q.offset > 0 ? " offset " + std::to_string(q.offset) : ""));
  }
  if (!q.order.empty()) {
    std::string keys;
    for (const auto& k : q.order) {
      if (!keys.empty()) keys += ", ";
      keys += expr_text(q.outputs[k.output], above) + (k.descending ? " DESC" : "");
    }
    st.line(depth++, "sort: " + keys);
  }
  if (q.distinct) st.line(depth++, "distinct");
  std::vector<bound_expr> visible(q.outputs.begin(), q.outputs.begin() + static_cast<long>(q.visible));
  st.line(depth++, "projection: " + list_text(visible, 0, above));
  if (!q.having.empty()) st.line(depth++, "filter: " + list_text(q.having, 0, grouped, " AND "));
  if (q.aggregate) {
    std::string calls;
    for (const auto& c : q.agg.calls) calls += (calls.empty() ? "" : ", ") + c.text;
    std::string keys = list_text(q.agg.group_keys, 0, input);
    st.line(depth++, "aggregate" + (keys.empty() ? std::string() : " by " + keys) +
                         (calls.empty() ? std::string() : ": " + calls));
  }
  if (q.for_update) st.line(depth++, "lock rows (FOR UPDATE)");
  if (!p.constant_filter.empty()) {
    st.line(depth++, "filter: " + list_text(p.constant_filter, 0, input, " AND "));
  }
  print_joins(p, p.joins.size(), depth, st);
}

}  // namespace

std::string expr_text(const bound_expr& e, const namer& name) {
  auto arg = [&](std::size_t i) { return expr_text(e.args[i], name); };
  switch (e.kind) {
    case expr_kind::constant: return sql_literal(e.value);
    case expr_kind::column: return name(e.slot);
    case expr_kind::negate: return "(- " + arg(0) + ")";
    case expr_kind::not_: return "(NOT " + arg(0) + ")";
    case expr_kind::arithmetic:
    case expr_kind::compare:
      return "(" + arg(0) + " " + std::string(sql::binary_spelling(e.op)) + " " + arg(1) + ")";
    case expr_kind::concat: return "(" + arg(0) + " || " + arg(1) + ")";
    case expr_kind::and_: return "(" + arg(0) + " AND " + arg(1) + ")";
    case expr_kind::or_: return "(" + arg(0) + " OR " + arg(1) + ")";
    case expr_kind::is_null: return "(" + arg(0) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case expr_kind::in_list:
      return "(" + arg(0) + (e.negated ? " NOT IN (" : " IN (") + list_text(e.args, 1, name) + "))";
    case expr_kind::like: return "(" + arg(0) + (e.negated ? " NOT LIKE " : " LIKE ") + arg(1) + ")";
    case expr_kind::case_: {
      std::string out = "CASE";
      std::size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
      for (std::size_t i = 0; i < pairs; ++i) out += " WHEN " + arg(2 * i) + " THEN " + arg(2 * i + 1);
      if (e.has_else) out += " ELSE " + expr_text(e.args.back(), name);
      return out + " END";
    }
    case expr_kind::coalesce: return "coalesce(" + list_text(e.args, 0, name) + ")";
    case expr_kind::cast: return "CAST(" + arg(0) + " AS " + e.type.to_string() + ")";
    case expr_kind::function:
      return std::string(function_name(e.function)) + "(" + list_text(e.args, 0, name) + ")";
  }
  return "?";
}

// A key range [first, second) a statement writes.
using key_range = std::pair<std::string, std::string>;

key_range point_range(std::string key) {
  std::string end = key + '\0';
  return {std::move(key), std::move(end)};
}

key_range prefix_range(std::string prefix) {
  std::string end = storage::codec::prefix_end(prefix);
  return {std::move(prefix), std::move(end)};
}

// An INSERT's row of constants, as stored; nullopt when a value is only known when it runs.
std::optional<row> constant_row(const table_descriptor& t, const std::vector<bound_expr>& exprs) {
  row values;
  for (std::size_t c = 0; c < exprs.size() && c < t.columns.size(); ++c) {
    if (!is_constant(exprs[c]) || calls_now(exprs[c])) return std::nullopt;
    auto v = evaluate(exprs[c], {}, eval_context{});
    if (!v) return std::nullopt;
    auto stored = store_value(*v, t.columns[c].type, t.columns[c].name);
    if (!stored) return std::nullopt;
    values.push_back(std::move(*stored));
  }
  return values;
}

// The key ranges a DML statement writes: its rows (exactly, when the keys are known before it
// runs) and its index entries.
std::vector<key_range> written_ranges(const statement_plan& plan) {
  std::vector<key_range> out;
  if (const auto* i = std::get_if<insert_plan>(&plan.node)) {
    const auto& t = *i->query.table;
    for (const auto& exprs : i->query.rows) {
      auto values = constant_row(t, exprs);
      if (!values) {
        out.push_back(prefix_range(keys::table_prefix(t.id)));
        return out;
      }
      out.push_back(point_range(keys::row_key_of(t, *values)));
      for (const auto& ix : t.indexes) out.push_back(point_range(keys::index_entry_of(t, ix, *values).key));
    }
    return out;
  }
  const table_access& target = std::holds_alternative<update_plan>(plan.node)
                                   ? std::get<update_plan>(plan.node).target
                                   : std::get<delete_plan>(plan.node).target;
  const auto& t = *target.source.table;
  if (target.kind == access_kind::point_get) {
    for (const auto& k : target.keys) out.push_back(point_range(k));
  } else if (target.kind == access_kind::range_scan) {
    out.emplace_back(target.start, target.end);
  } else {
    out.push_back(prefix_range(keys::row_prefix(t.id)));
  }
  // An UPDATE that changes primary-key columns moves rows anywhere in the table.
  if (const auto* u = std::get_if<update_plan>(&plan.node)) {
    const auto& pk = t.primary_key;
    bool moves = std::any_of(u->assignments.begin(), u->assignments.end(), [&](const auto& a) {
      auto id = t.columns[static_cast<std::size_t>(a.first)].id;
      return std::find(pk.begin(), pk.end(), id) != pk.end();
    });
    if (moves) out.push_back(prefix_range(keys::row_prefix(t.id)));
  }
  for (const auto& ix : t.indexes) out.push_back(prefix_range(keys::index_prefix(t.id, ix.id)));
  return out;
}

std::vector<std::string> explain_plan(const statement_plan& plan, const cluster_view& view) {
  explain_state st{view, {}, {}};
  std::size_t written_shards = 0;
  if (const auto* s = std::get_if<select_plan>(&plan.node)) {
    print_select(*s, st);
  } else if (const auto* i = std::get_if<insert_plan>(&plan.node)) {
    const auto& t = *i->query.table;
    st.line(0, "insert into " + t.name + " (" + std::to_string(i->query.rows.size()) + " rows, " +
                   std::to_string(t.indexes.size()) + " indexes)");
    st.line(1, "check keys: batch point get of the primary and unique keys");
    ++st.reads;
  } else if (const auto* u = std::get_if<update_plan>(&plan.node)) {
    st.line(0, "update " + u->target.source.table->name);
    print_access(u->target, 1, st);
    ++st.reads;  // the duplicate-key check of changed keys
  } else {
    const auto& d = std::get<delete_plan>(plan.node);
    st.line(0, "delete from " + d.target.source.table->name);
    print_access(d.target, 1, st);
  }
  // The shards a commit touches: those holding the written tables' keys, and the catalog's, where
  // the statement's schema check (validate_unchanged) reads each written table's descriptor.
  std::set<std::string> committed;
  for (const auto& t : plan.written) {
    std::string d = keys::table_descriptor_key(t->name);
    for (auto& s : view.shards_for(d, d + '\0')) committed.insert(std::move(s));
  }
  if (!plan.written.empty()) {
    for (const auto& [start, end] : written_ranges(plan)) {
      for (auto& s : view.shards_for(start, end)) {
        committed.insert(s);
        st.shards.insert(std::move(s));
      }
    }
  }
  written_shards = plan.written.empty() ? 0 : committed.size();
  std::string shard_list;
  for (const auto& s : st.shards) shard_list += (shard_list.empty() ? "" : ", ") + s;
  st.lines.push_back("shards: " + std::to_string(st.shards.size()) +
                     (shard_list.empty() ? "" : " (" + shard_list + ")"));
  commit_estimate c = view.estimate_commit(written_shards);
  std::uint32_t ts = view.timestamp_round_trips();
  std::uint32_t total = ts + st.reads + c.round_trips;
  st.lines.push_back("round trips (estimate): " + std::to_string(total) + (st.more_reads ? "+" : "") +
                     " (timestamp " + std::to_string(ts) + ", reads " + std::to_string(st.reads) +
                     (st.more_reads ? "+" : "") + ", commit " + std::to_string(c.round_trips) +
                     " " + c.path + ")");
  return st.lines;
}

}  // namespace meridian::query
