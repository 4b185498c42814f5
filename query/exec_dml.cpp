// INSERT, UPDATE and DELETE; see exec_dml.hpp. UPDATE and DELETE first read all their target
// rows (a scan that saw the statement's own writes could meet an updated row again), then
// write. UPDATE deletes every changed key before it checks and writes the new ones, so
// `SET u = u + 1` over a unique column does not trip over the row it is about to move.
#include "query/exec_dml.hpp"

#include <unordered_set>

#include "query/exec_scan.hpp"
#include "query/keys.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {

std::string describe_key(const table_descriptor& t, const std::vector<int>& positions,
                         const row& r) {
  std::string names, values;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (i > 0) {
      names += ", ";
      values += ", ";
    }
    names += t.columns[positions[i]].name;
    values += sql_literal(r[positions[i]]);
  }
  return "(" + names + ") = (" + values + ")";
}

namespace {

error duplicate(const table_descriptor& t, const index_descriptor* ix, const row& r) {
  if (ix == nullptr) {
    return error(errc::sql_duplicate_key, "duplicate key in table " + t.name +
                                              " (primary key): " +
                                              describe_key(t, t.primary_key_positions(), r));
  }
  return error(errc::sql_duplicate_key, "duplicate key in table " + t.name + " (unique index " +
                                            ix->name + "): " +
                                            describe_key(t, t.index_positions(*ix), r));
}

// Converts each value to its column's type and checks NOT NULL.
status store_row(const table_descriptor& t, row& r) {
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    const auto& col = t.columns[c];
    auto v = store_value(r[c], col.type, col.name);
    if (!v) return v.err();
    r[c] = std::move(*v);
    if (!col.nullable && is_null(r[c])) {
      return error(errc::sql_not_null_violation,
                   "column " + col.name + " of table " + t.name + " is NOT NULL");
    }
  }
  return ok_status();
}

// The keys one row occupies: its row key and one entry per index.
struct row_keys {
  std::string row_key;
  std::vector<keys::index_entry> entries;
};

row_keys keys_of(const table_descriptor& t, const row& r) {
  row_keys k;
  k.row_key = keys::row_key_of(t, r);
  for (const auto& ix : t.indexes) k.entries.push_back(keys::index_entry_of(t, ix, r));
  return k;
}

status put_row(txn::transaction& txn, const table_descriptor& t, const row& r,
               const row_keys& k) {
  return txn.put(k.row_key, encode_row(t, r));
}

// ---- INSERT --------------------------------------------------------------------------------

struct insert_state {
  exec_context* ctx;
  const insert_plan* plan;
  std::vector<row> rows;
  std::vector<row_keys> keys;
  count_callback done;
};

result<row> evaluate_insert_row(exec_context& ctx, const table_descriptor& t,
                                const std::vector<bound_expr>& exprs) {
  row r;
  r.reserve(exprs.size());
  for (std::size_t c = 0; c < exprs.size(); ++c) {
    auto v = evaluate(exprs[c], {}, ctx.eval());
    if (!v) return v.err();
    auto stored = store_value(*v, t.columns[c].type, t.columns[c].name);
    if (!stored) {
      return sql::make_sql_error(stored.err().code(), ctx.eval().source, exprs[c].pos,
                                 stored.err().message());
    }
    r.push_back(std::move(*stored));
  }
  MERIDIAN_TRY(store_row(t, r));
  return r;
}

void insert_checked(std::shared_ptr<insert_state> s, const std::vector<std::optional<std::string>>& found) {
  const table_descriptor& t = *s->plan->query.table;
  std::unordered_set<std::string> taken;  // keys written by earlier rows of this statement
  std::size_t probe = 0;
  std::uint64_t inserted = 0;
  for (std::size_t i = 0; i < s->rows.size(); ++i) {
    const row_keys& k = s->keys[i];
    const index_descriptor* conflict = nullptr;
    bool duplicate_row = found[probe++].has_value() || taken.count(k.row_key) > 0;
    for (std::size_t j = 0; j < k.entries.size(); ++j) {
      if (!k.entries[j].unique_form) continue;
      bool dup = found[probe++].has_value() || taken.count(k.entries[j].key) > 0;
      if (dup && conflict == nullptr && !duplicate_row) conflict = &t.indexes[j];
    }
    if (duplicate_row || conflict != nullptr) {
      if (s->plan->query.on_conflict_do_nothing) continue;
      return s->done(duplicate(t, conflict, s->rows[i]));
    }
    if (auto st = put_row(s->ctx->txn(), t, s->rows[i], k); !st) return s->done(st.err());
    taken.insert(k.row_key);
    for (const auto& e : k.entries) {
      if (auto st = s->ctx->txn().put(e.key, e.value); !st) return s->done(st.err());
      if (e.unique_form) taken.insert(e.key);
    }
    ++inserted;
  }
  s->done(inserted);
}

// ---- UPDATE and DELETE: read the targets first ---------------------------------------------

struct target_state {
  std::shared_ptr<exec_node> scan;
  std::vector<row> rows;
  std::function<void(result<std::vector<row>>)> done;
};

void collect_targets(exec_context& ctx, std::shared_ptr<target_state> s) {
  ctx.post([&ctx, s]() {
    s->scan->next([&ctx, s](result<row_batch> batch) {
      if (!batch) return s->done(batch.err());
      for (auto& r : batch->rows) s->rows.push_back(std::move(r));
      auto limit = exec_context::check_materialized(s->rows.size(), "the rows to change");
      if (!limit) return s->done(limit.err());
      if (batch->end) return s->done(std::move(s->rows));
      collect_targets(ctx, s);
    });
  });
}

void read_targets(exec_context& ctx, const table_access& target,
                  std::function<void(result<std::vector<row>>)> done) {
  auto s = std::make_shared<target_state>();
  s->scan = make_scan(ctx, target);
  s->done = std::move(done);
  collect_targets(ctx, std::move(s));
}

struct update_state {
  exec_context* ctx;
  const update_plan* plan;
  std::vector<row> old_rows, new_rows;
  std::vector<row_keys> old_keys, new_keys;
  count_callback done;
};

status compute_updates(update_state& s) {
  const table_descriptor& t = *s.plan->target.source.table;
  for (const auto& old : s.old_rows) {
    row updated = old;
    for (const auto& [position, expr] : s.plan->assignments) {
      auto v = evaluate(expr, old, s.ctx->eval());
      if (!v) return v.err();
      auto stored = store_value(*v, t.columns[position].type, t.columns[position].name);
      if (!stored) {
        return sql::make_sql_error(stored.err().code(), s.ctx->eval().source, expr.pos,
                                   stored.err().message());
      }
      updated[position] = std::move(*stored);
    }
    MERIDIAN_TRY(store_row(t, updated));
    s.old_keys.push_back(keys_of(t, old));
    s.new_keys.push_back(keys_of(t, updated));
    s.new_rows.push_back(std::move(updated));
  }
  return ok_status();
}

bool entry_changed(const keys::index_entry& a, const keys::index_entry& b) {
  return a.key != b.key || a.value != b.value;
}

// Deletes every key that changes; returns the new keys that must be checked for duplicates.
result<std::vector<std::string>> delete_changed(update_state& s) {
  std::vector<std::string> probes;
  auto& txn = s.ctx->txn();
  for (std::size_t i = 0; i < s.old_rows.size(); ++i) {
    const auto& o = s.old_keys[i];
    const auto& n = s.new_keys[i];
    if (o.row_key != n.row_key) {
      MERIDIAN_TRY(txn.del(o.row_key));
      probes.push_back(n.row_key);
    }
    for (std::size_t j = 0; j < o.entries.size(); ++j) {
      if (!entry_changed(o.entries[j], n.entries[j])) continue;
      MERIDIAN_TRY(txn.del(o.entries[j].key));
      if (n.entries[j].unique_form) probes.push_back(n.entries[j].key);
    }
  }
  return probes;
}

void update_checked(std::shared_ptr<update_state> s, const std::vector<std::optional<std::string>>& found) {
  const table_descriptor& t = *s->plan->target.source.table;
  auto& txn = s->ctx->txn();
  std::unordered_set<std::string> taken;
  std::size_t probe = 0;
  for (std::size_t i = 0; i < s->new_rows.size(); ++i) {
    const auto& o = s->old_keys[i];
    const auto& n = s->new_keys[i];
    if (o.row_key != n.row_key) {
      if (found[probe++].has_value() || !taken.insert(n.row_key).second) {
        return s->done(duplicate(t, nullptr, s->new_rows[i]));
      }
    }
    if (auto st = put_row(txn, t, s->new_rows[i], n); !st) return s->done(st.err());
    for (std::size_t j = 0; j < n.entries.size(); ++j) {
      if (!entry_changed(o.entries[j], n.entries[j])) continue;
      if (n.entries[j].unique_form &&
          (found[probe++].has_value() || !taken.insert(n.entries[j].key).second)) {
        return s->done(duplicate(t, &t.indexes[j], s->new_rows[i]));
      }
      if (auto st = txn.put(n.entries[j].key, n.entries[j].value); !st) return s->done(st.err());
    }
  }
  s->done(static_cast<std::uint64_t>(s->new_rows.size()));
}

}  // namespace

void execute_insert(exec_context& ctx, const insert_plan& plan, count_callback done) {
  auto s = std::make_shared<insert_state>();
  s->ctx = &ctx;
  s->plan = &plan;
  s->done = std::move(done);
  const table_descriptor& t = *plan.query.table;
  std::vector<std::string> probes;
  for (const auto& exprs : plan.query.rows) {
    auto r = evaluate_insert_row(ctx, t, exprs);
    if (!r) return s->done(r.err());
    row_keys k = keys_of(t, *r);
    probes.push_back(k.row_key);
    for (const auto& e : k.entries) {
      if (e.unique_form) probes.push_back(e.key);
    }
    s->rows.push_back(std::move(*r));
    s->keys.push_back(std::move(k));
  }
  fetch_values(ctx, std::move(probes), [s](result<std::vector<std::optional<std::string>>> found) {
    if (!found) return s->done(found.err());
    insert_checked(s, *found);
  });
}

void execute_update(exec_context& ctx, const update_plan& plan, count_callback done) {
  auto s = std::make_shared<update_state>();
  s->ctx = &ctx;
  s->plan = &plan;
  s->done = std::move(done);
  read_targets(ctx, plan.target, [s](result<std::vector<row>> rows) {
    if (!rows) return s->done(rows.err());
    s->old_rows = std::move(*rows);
    if (auto st = compute_updates(*s); !st) return s->done(st.err());
    auto probes = delete_changed(*s);
    if (!probes) return s->done(probes.err());
    fetch_values(*s->ctx, std::move(*probes),
                 [s](result<std::vector<std::optional<std::string>>> found) {
                   if (!found) return s->done(found.err());
                   update_checked(s, *found);
                 });
  });
}

void execute_delete(exec_context& ctx, const delete_plan& plan, count_callback done) {
  const table_descriptor* t = plan.target.source.table.get();
  read_targets(ctx, plan.target, [&ctx, t, done](result<std::vector<row>> rows) {
    if (!rows) return done(rows.err());
    for (const auto& r : *rows) {
      row_keys k = keys_of(*t, r);
      if (auto st = ctx.txn().del(k.row_key); !st) return done(st.err());
      for (const auto& e : k.entries) {
        if (auto st = ctx.txn().del(e.key); !st) return done(st.err());
      }
    }
    done(static_cast<std::uint64_t>(rows->size()));
  });
}

}  // namespace meridian::query
