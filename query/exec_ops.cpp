// The operators of exec_ops.hpp except aggregation (exec_aggregate.cpp).
#include "query/exec_ops.hpp"

#include <algorithm>
#include <unordered_set>

#include "query/exec_scan.hpp"
#include "query/keys.hpp"
#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

class single_row_node final : public exec_node {
 public:
  using exec_node::exec_node;
  void next(batch_callback done) override { done(row_batch{{row{}}, true}); }
};

// Base for operators that transform each batch of one input.
class unary_node : public exec_node {
 public:
  unary_node(exec_context& ctx, node_ptr input) : exec_node(ctx), input_(std::move(input)) {}

  void next(batch_callback done) override {
    if (input_done_) return done(row_batch{{}, true});
    pull(*input_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      input_done_ = batch->end;
      row_batch out;
      out.end = batch->end;
      auto s = transform(std::move(batch->rows), out.rows);
      if (!s) return done(s.err());
      done(std::move(out));
    });
  }

 protected:
  virtual status transform(std::vector<row> in, std::vector<row>& out) = 0;
  node_ptr input_;
  bool input_done_ = false;
};

class filter_node final : public unary_node {
 public:
  filter_node(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& conditions)
      : unary_node(ctx, std::move(input)), conditions_(conditions) {}

 private:
  status transform(std::vector<row> in, std::vector<row>& out) override {
    for (auto& r : in) {
      auto keep = passes(conditions_, r, ctx_.eval());
      if (!keep) return keep.err();
      if (*keep) out.push_back(std::move(r));
    }
    return ok_status();
  }
  const std::vector<bound_expr>& conditions_;
};

class project_node final : public unary_node {
 public:
  project_node(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& outputs)
      : unary_node(ctx, std::move(input)), outputs_(outputs) {}

 private:
  status transform(std::vector<row> in, std::vector<row>& out) override {
    out.reserve(in.size());
    for (const auto& r : in) {
      row projected;
      projected.reserve(outputs_.size());
      for (const auto& e : outputs_) {
        auto v = evaluate(e, r, ctx_.eval());
        if (!v) return v.err();
        projected.push_back(std::move(*v));
      }
      out.push_back(std::move(projected));
    }
    return ok_status();
  }
  const std::vector<bound_expr>& outputs_;
};

class lock_node final : public unary_node {
 public:
  lock_node(exec_context& ctx, node_ptr input, const std::vector<scope_table>& tables)
      : unary_node(ctx, std::move(input)), tables_(tables) {}

 private:
  status transform(std::vector<row> in, std::vector<row>& out) override {
    std::vector<std::string> row_keys;
    for (const auto& r : in) {
      for (const auto& t : tables_) {
        tuple pk;
        for (int p : t.table->primary_key_positions()) pk.push_back(r[t.first_slot + p]);
        row_keys.push_back(keys::row_key(t.table->id, pk));
      }
    }
    if (!row_keys.empty()) MERIDIAN_TRY(ctx_.txn().lock_keys(std::move(row_keys)));
    out = std::move(in);
    return ok_status();
  }
  const std::vector<scope_table>& tables_;
};

class distinct_node final : public unary_node {
 public:
  distinct_node(exec_context& ctx, node_ptr input, std::size_t width)
      : unary_node(ctx, std::move(input)), width_(width) {}

 private:
  status transform(std::vector<row> in, std::vector<row>& out) override {
    for (auto& r : in) {
      tuple visible(r.begin(), r.begin() + static_cast<long>(width_));
      if (seen_.insert(storage::codec::encode(visible)).second) out.push_back(std::move(r));
    }
    return exec_context::check_materialized(seen_.size(), "DISTINCT");
  }
  std::size_t width_;
  std::unordered_set<std::string> seen_;
};

class sort_node final : public exec_node {
 public:
  sort_node(exec_context& ctx, node_ptr input, const std::vector<sort_key>& keys,
            std::optional<std::size_t> keep)
      : exec_node(ctx), input_(std::move(input)), keys_(keys), keep_(keep) {}

  void next(batch_callback done) override {
    if (sorted_) return done(row_batch{std::move(rows_), true});
    pull(*input_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      for (auto& r : batch->rows) rows_.push_back(std::move(r));
      auto limit = exec_context::check_materialized(rows_.size(), "ORDER BY");
      if (!limit) return done(limit.err());
      if (!batch->end) return next(done);
      sort_rows();
      sorted_ = true;
      next(done);
    });
  }

 private:
  void sort_rows() {
    auto less = [this](const row& a, const row& b) {
      for (const auto& k : keys_) {
        int c = compare_for_sort(a[k.output], b[k.output]);
        if (c != 0) return k.descending ? c > 0 : c < 0;
      }
      return false;
    };
    if (keep_ && *keep_ < rows_.size()) {
      // Stable top-k: ties keep their input order, like the full stable sort.
      std::vector<std::size_t> order(rows_.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      auto by_row = [&](std::size_t x, std::size_t y) {
        if (less(rows_[x], rows_[y])) return true;
        if (less(rows_[y], rows_[x])) return false;
        return x < y;
      };
      std::partial_sort(order.begin(), order.begin() + static_cast<long>(*keep_), order.end(), by_row);
      std::vector<row> top;
      for (std::size_t i = 0; i < *keep_; ++i) top.push_back(std::move(rows_[order[i]]));
      rows_ = std::move(top);
      return;
    }
    std::stable_sort(rows_.begin(), rows_.end(), less);
  }

  node_ptr input_;
  const std::vector<sort_key>& keys_;
  std::optional<std::size_t> keep_;
  std::vector<row> rows_;
  bool sorted_ = false;
};

class limit_node final : public exec_node {
 public:
  limit_node(exec_context& ctx, node_ptr input, std::optional<std::int64_t> limit,
             std::int64_t offset)
      : exec_node(ctx), input_(std::move(input)), limit_(limit), skip_(offset) {}

  void next(batch_callback done) override {
    if (finished_ || (limit_ && taken_ >= *limit_)) return done(row_batch{{}, true});
    pull(*input_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      row_batch out;
      for (auto& r : batch->rows) {
        if (skip_ > 0) {
          --skip_;
          continue;
        }
        if (limit_ && taken_ >= *limit_) break;
        out.rows.push_back(std::move(r));
        ++taken_;
      }
      finished_ = batch->end;
      // Stop reading once the limit is reached: a LIMIT 10 over a large table reads a page.
      out.end = finished_ || (limit_ && taken_ >= *limit_);
      done(std::move(out));
    });
  }

 private:
  node_ptr input_;
  std::optional<std::int64_t> limit_;
  std::int64_t skip_;
  std::int64_t taken_ = 0;
  bool finished_ = false;
};

}  // namespace

node_ptr make_single_row(exec_context& ctx) { return node_ptr(new single_row_node(ctx)); }

node_ptr make_filter(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& conditions) {
  return node_ptr(new filter_node(ctx, std::move(input), conditions));
}

node_ptr make_project(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& outputs) {
  return node_ptr(new project_node(ctx, std::move(input), outputs));
}

node_ptr make_lock(exec_context& ctx, node_ptr input, const std::vector<scope_table>& tables) {
  return node_ptr(new lock_node(ctx, std::move(input), tables));
}

node_ptr make_distinct(exec_context& ctx, node_ptr input, std::size_t width) {
  return node_ptr(new distinct_node(ctx, std::move(input), width));
}

node_ptr make_sort(exec_context& ctx, node_ptr input, const std::vector<sort_key>& keys,
                   std::optional<std::size_t> keep) {
  return node_ptr(new sort_node(ctx, std::move(input), keys, keep));
}

node_ptr make_limit(exec_context& ctx, node_ptr input, std::optional<std::int64_t> limit,
                    std::int64_t offset) {
  return node_ptr(new limit_node(ctx, std::move(input), limit, offset));
}

}  // namespace meridian::query
