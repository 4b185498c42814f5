// The join operators; see exec_join.hpp.
#include "query/exec_join.hpp"
#include "query/query_limits.hpp"

#include <unordered_map>

#include "query/exec_scan.hpp"
#include "query/keys.hpp"
#include "query/planner.hpp"
#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

namespace codec = storage::codec;

row concat_rows(const row& outer, const row& inner) {
  row out;
  out.reserve(outer.size() + inner.size());
  out.insert(out.end(), outer.begin(), outer.end());
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

// Appends `outer + inner` to `out` when the pair passes the join's conditions.
status emit_pair(const join_step& step, const eval_context& eval, const row& outer,
                 const row& inner, std::vector<row>& out) {
  row combined = concat_rows(outer, inner);
  auto keep = passes(step.filter, combined, eval);
  if (!keep) return keep.err();
  if (*keep) out.push_back(std::move(combined));
  return ok_status();
}

// The encoded key of `values` in `types`; nullopt when one is NULL (NULL never joins).
result<std::optional<std::string>> join_key(const std::vector<bound_expr>& exprs,
                                            const std::vector<sql_type>& types, const row& r,
                                            const eval_context& eval) {
  std::string key;
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    auto v = evaluate(exprs[i], r, eval);
    if (!v) return v.err();
    if (is_null(*v)) return std::optional<std::string>();
    codec::append(key, key_value(*v, types[i]));
  }
  return std::optional<std::string>(std::move(key));
}

class lookup_join_node final : public exec_node {
 public:
  lookup_join_node(exec_context& ctx, node_ptr outer, const join_step& step)
      : exec_node(ctx), outer_(std::move(outer)), step_(step) {
    const auto& inner = step_.inner;
    base_ = inner.kind == access_kind::point_get
                ? keys::row_prefix(inner.source.table->id)
                : keys::index_prefix(inner.source.table->id, inner.index->id);
  }

  void next(batch_callback done) override {
    if (outer_done_) return done(row_batch{{}, true});
    pull(*outer_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      outer_done_ = batch->end;
      outer_rows_ = std::move(batch->rows);
      owners_.clear();
      std::vector<std::string> lookup_keys;
      for (std::size_t i = 0; i < outer_rows_.size(); ++i) {
        auto key = join_key(step_.lookup_values, step_.lookup_types, outer_rows_[i], ctx_.eval());
        if (!key) return done(key.err());
        if (!*key) continue;
        owners_.push_back(i);
        lookup_keys.push_back(base_ + **key);
      }
      switch (step_.inner.kind) {
        case access_kind::point_get: return fetch(std::move(lookup_keys), done);
        case access_kind::index_point: return resolve_unique(std::move(lookup_keys), done);
        default:
          entries_.clear();
          return scan_prefixes(std::make_shared<std::vector<std::string>>(std::move(lookup_keys)),
                               0, done);
      }
    });
  }

 private:
  // Unique index entries -> primary keys -> rows.
  void resolve_unique(std::vector<std::string> entry_keys, const batch_callback& done) {
    auto shared_keys = std::make_shared<std::vector<std::string>>(std::move(entry_keys));
    fetch_values(ctx_, *shared_keys,
                 [this, shared_keys, done](result<std::vector<std::optional<std::string>>> v) {
                   if (!v) return done(v.err());
                   std::vector<std::size_t> owners;
                   std::vector<txn::kv_pair> entries;
                   for (std::size_t i = 0; i < v->size(); ++i) {
                     if (!(*v)[i]) continue;
                     owners.push_back(owners_[i]);
                     entries.push_back({(*shared_keys)[i], *(*v)[i]});
                   }
                   owners_ = std::move(owners);
                   fetch_entries(entries, done);
                 });
  }

  // Non-unique lookups: one range read per outer row, then the rows.
  void scan_prefixes(std::shared_ptr<std::vector<std::string>> prefixes, std::size_t i,
                     const batch_callback& done) {
    if (i == prefixes->size()) {
      std::vector<txn::kv_pair> entries;
      std::vector<std::size_t> owners;
      for (auto& [owner, kv] : entries_) {
        owners.push_back(owner);
        entries.push_back(std::move(kv));
      }
      owners_ = std::move(owners);
      return fetch_entries(entries, done);
    }
    const std::string& prefix = (*prefixes)[i];
    scan_all(ctx_, prefix, codec::prefix_end(prefix),
             [this, prefixes, i, done](result<std::vector<txn::kv_pair>> found) {
               if (!found) return done(found.err());
               for (auto& kv : *found) entries_.emplace_back(owners_[i], std::move(kv));
               auto limit = exec_context::check_materialized(entries_.size(), "a lookup join");
               if (!limit) return done(limit.err());
               scan_prefixes(prefixes, i + 1, done);
             });
  }

  void fetch_entries(const std::vector<txn::kv_pair>& entries, const batch_callback& done) {
    auto row_keys = row_keys_of_entries(*step_.inner.source.table, *step_.inner.index, entries);
    if (!row_keys) return done(row_keys.err());
    fetch(std::move(*row_keys), done);
  }

  // Reads the inner rows at `row_keys` (owners_[i] is the outer row of key i) and joins.
  void fetch(std::vector<std::string> row_keys, const batch_callback& done) {
    fetch_rows(ctx_, step_.inner.source.table, std::move(row_keys),
               [this, done](result<std::vector<std::optional<row>>> rows) {
                 if (!rows) return done(rows.err());
                 row_batch out;
                 out.end = outer_done_;
                 for (std::size_t i = 0; i < rows->size(); ++i) {
                   if (!(*rows)[i]) continue;
                   auto inner_ok = passes(step_.inner.filter, *(*rows)[i], ctx_.eval());
                   if (!inner_ok) return done(inner_ok.err());
                   if (!*inner_ok) continue;
                   auto s = emit_pair(step_, ctx_.eval(), outer_rows_[owners_[i]], *(*rows)[i],
                                      out.rows);
                   if (!s) return done(s.err());
                 }
                 done(std::move(out));
               });
  }

  node_ptr outer_;
  const join_step& step_;
  std::string base_;
  bool outer_done_ = false;
  std::vector<row> outer_rows_;
  std::vector<std::size_t> owners_;  // for each lookup key, its outer row
  std::vector<std::pair<std::size_t, txn::kv_pair>> entries_;
};

// Hash join and nested loop: materialize the inner side, then stream the outer side.
class build_probe_join_node final : public exec_node {
 public:
  build_probe_join_node(exec_context& ctx, node_ptr outer, const join_step& step)
      : exec_node(ctx), outer_(std::move(outer)), inner_(make_scan(ctx, step.inner)), step_(step) {}

  void next(batch_callback done) override {
    if (!built_) return build(std::move(done));
    if (outer_at_ < pending_.size()) return emit(std::move(done));
    if (outer_done_) return done(row_batch{{}, true});
    pull(*outer_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      outer_done_ = batch->end;
      pending_ = std::move(batch->rows);
      outer_at_ = 0;
      inner_at_ = 0;
      emit(done);
    });
  }

 private:
  bool hashed() const { return step_.kind == join_kind::hash; }

  // Pairs of the pending outer rows with their inner rows, at most join_batch_rows per call: a
  // batch of outer rows times a large inner side must not be one batch (a three-way nested loop
  // over 5,000 rows once held gigabytes before its count(*) saw a row).
  void emit(batch_callback done) {
    // A join of materialized sides reads nothing more: it is where a long statement spends its
    // time, so it is where Ctrl-C (session::cancel) is noticed.
    if (auto c = ctx_.check_cancelled(); !c) return done(c.err());
    row_batch out;
    while (outer_at_ < pending_.size() && out.rows.size() < query_limits::join_batch_rows) {
      const row& outer = pending_[outer_at_];
      if (inner_at_ == 0) {
        auto found = candidates(outer);
        if (!found) return done(found.err());
        current_ = *found;
      }
      std::size_t n = current_ ? current_->size() : 0;
      for (; inner_at_ < n && out.rows.size() < query_limits::join_batch_rows; ++inner_at_) {
        auto s = emit_pair(step_, ctx_.eval(), outer, (*current_)[inner_at_], out.rows);
        if (!s) return done(s.err());
      }
      if (inner_at_ >= n) {
        ++outer_at_;
        inner_at_ = 0;
      }
    }
    out.end = outer_done_ && outer_at_ >= pending_.size();
    done(std::move(out));
  }

  // The inner rows an outer row may pair with: every one (nested loop) or its key's bucket.
  result<const std::vector<row>*> candidates(const row& outer) {
    if (!hashed()) return &all_;
    auto key = join_key(step_.outer_keys, step_.key_types, outer, ctx_.eval());
    if (!key) return key.err();
    if (!*key) return static_cast<const std::vector<row>*>(nullptr);
    auto it = table_.find(**key);
    return it == table_.end() ? nullptr : &it->second;
  }

  void build(batch_callback done) {
    pull(*inner_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      for (auto& r : batch->rows) {
        if (hashed()) {
          auto key = join_key(step_.inner_keys, step_.key_types, r, ctx_.eval());
          if (!key) return done(key.err());
          if (*key) table_[**key].push_back(std::move(r));
        } else {
          all_.push_back(std::move(r));
        }
        ++held_;
      }
      auto limit = exec_context::check_materialized(
          held_, hashed() ? "the hash join's build side" : "the nested loop's inner side");
      if (!limit) return done(limit.err());
      if (!batch->end) return build(done);
      built_ = true;
      next(done);
    });
  }

  node_ptr outer_;
  node_ptr inner_;
  const join_step& step_;
  bool built_ = false;
  bool outer_done_ = false;
  std::size_t held_ = 0;
  std::unordered_map<std::string, std::vector<row>> table_;
  std::vector<row> all_;
  // The outer batch being joined, and where emit() stopped in it.
  std::vector<row> pending_;
  std::size_t outer_at_ = 0;
  std::size_t inner_at_ = 0;
  const std::vector<row>* current_ = nullptr;  // the inner rows of pending_[outer_at_]
};

}  // namespace

node_ptr make_join(exec_context& ctx, node_ptr outer, const join_step& step) {
  if (step.kind == join_kind::lookup) {
    return node_ptr(new lookup_join_node(ctx, std::move(outer), step));
  }
  return node_ptr(new build_probe_join_node(ctx, std::move(outer), step));
}

}  // namespace meridian::query
