// The aggregate operator (GROUP BY): groups rows by the encoded values of the group keys,
// keeps one running state per aggregate call per group (NULL arguments skipped; DISTINCT
// calls keep the set of values seen), and outputs [group keys..., results...] per group in
// order of first appearance. Without GROUP BY an empty input still yields one row
// (count 0, other aggregates NULL).
#include <unordered_map>
#include <unordered_set>

#include "query/exec_ops.hpp"
#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

struct call_state {
  datum value = null_value{};  // sum / min / max so far
  std::int64_t count = 0;
  std::unordered_set<std::string> seen;  // DISTINCT calls
};

struct group {
  row keys;
  std::vector<call_state> states;
};

class aggregate_node final : public exec_node {
 public:
  aggregate_node(exec_context& ctx, node_ptr input, const aggregate_binding& agg)
      : exec_node(ctx), input_(std::move(input)), agg_(agg) {}

  void next(batch_callback done) override {
    if (emitted_) return done(row_batch{{}, true});
    pull(*input_, [this, done](result<row_batch> batch) {
      if (!batch) return done(batch.err());
      for (const auto& r : batch->rows) {
        auto s = accumulate(r);
        if (!s) return done(s.err());
      }
      auto limit = exec_context::check_materialized(groups_.size(), "GROUP BY");
      if (!limit) return done(limit.err());
      if (!batch->end) return next(done);
      emitted_ = true;
      done(finish());
    });
  }

 private:
  status accumulate(const row& r) {
    row keys;
    keys.reserve(agg_.group_keys.size());
    for (const auto& k : agg_.group_keys) {
      auto v = evaluate(k, r, ctx_.eval());
      if (!v) return v.err();
      keys.push_back(std::move(*v));
    }
    std::string encoded = storage::codec::encode(keys);
    auto [it, inserted] = index_.emplace(std::move(encoded), groups_.size());
    if (inserted) groups_.push_back(group{std::move(keys), std::vector<call_state>(agg_.calls.size())});
    group& g = groups_[it->second];
    for (std::size_t i = 0; i < agg_.calls.size(); ++i) MERIDIAN_TRY(update(agg_.calls[i], g.states[i], r));
    return ok_status();
  }

  status update(const aggregate_call& call, call_state& s, const row& r) {
    if (call.star) {
      ++s.count;
      return ok_status();
    }
    auto v = evaluate(call.arg, r, ctx_.eval());
    if (!v) return v.err();
    if (is_null(*v)) return ok_status();
    if (call.distinct && !s.seen.insert(storage::codec::encode({*v})).second) return ok_status();
    ++s.count;
    switch (call.fn) {
      case aggregate_fn::count: return ok_status();
      case aggregate_fn::sum:
      case aggregate_fn::avg: {
        datum add = *v;
        // An average of integers is computed exactly, in DECIMAL.
        if (call.fn == aggregate_fn::avg && std::holds_alternative<std::int64_t>(add)) {
          add = decimal::from_int(std::get<std::int64_t>(add));
        }
        if (is_null(s.value)) {
          s.value = std::move(add);
          return ok_status();
        }
        auto sum = arithmetic(sql::binary_op::add, s.value, add);
        if (!sum) return error(sum.err().code(), call.text + ": " + sum.err().message());
        s.value = std::move(*sum);
        return ok_status();
      }
      case aggregate_fn::min:
      case aggregate_fn::max: {
        bool replace = is_null(s.value) || (call.fn == aggregate_fn::min
                                                ? compare_values(*v, s.value) < 0
                                                : compare_values(*v, s.value) > 0);
        if (replace) s.value = std::move(*v);
        return ok_status();
      }
    }
    return ok_status();
  }

  result<row_batch> finish() {
    if (groups_.empty() && agg_.group_keys.empty()) {
      groups_.push_back(group{{}, std::vector<call_state>(agg_.calls.size())});
    }
    row_batch out;
    out.end = true;
    for (auto& g : groups_) {
      row r = std::move(g.keys);
      for (std::size_t i = 0; i < agg_.calls.size(); ++i) {
        const auto& call = agg_.calls[i];
        call_state& s = g.states[i];
        if (call.fn == aggregate_fn::count) {
          r.push_back(datum(s.count));
        } else if (call.fn == aggregate_fn::avg && s.count > 0) {
          auto avg = arithmetic(sql::binary_op::divide, s.value, datum(s.count));
          if (!avg) return avg.err();
          r.push_back(std::move(*avg));
        } else {
          r.push_back(std::move(s.value));
        }
      }
      out.rows.push_back(std::move(r));
    }
    return out;
  }

  node_ptr input_;
  const aggregate_binding& agg_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<group> groups_;
  bool emitted_ = false;
};

}  // namespace

node_ptr make_aggregate(exec_context& ctx, node_ptr input, const aggregate_binding& agg) {
  return node_ptr(new aggregate_node(ctx, std::move(input), agg));
}

}  // namespace meridian::query
