// Assembly and draining of SELECT operator trees; see exec_select.hpp.
#include "query/exec_select.hpp"

#include "query/exec_join.hpp"
#include "query/exec_ops.hpp"
#include "query/exec_scan.hpp"
#include "query/query_limits.hpp"

namespace meridian::query {
namespace {

struct collect_state {
  exec_context* ctx;
  std::shared_ptr<exec_node> root;
  std::size_t width;
  std::vector<row> rows;
  std::size_t bytes = 0;  // of the text and blob values in rows
  collect_callback done;
};

std::size_t text_bytes(const row& r) {
  std::size_t n = 0;
  for (const auto& d : r) {
    if (const auto* s = std::get_if<std::string>(&d)) n += s->size();
  }
  return n;
}

void collect_step(std::shared_ptr<collect_state> s) {
  s->ctx->post([s]() {
    s->root->next([s](result<row_batch> batch) {
      if (!batch) return s->done(batch.err());
      for (auto& r : batch->rows) {
        r.resize(s->width);
        s->bytes += text_bytes(r);
        s->rows.push_back(std::move(r));
      }
      if (s->bytes > query_limits::max_result_bytes) {
        return s->done(error(errc::sql_result_too_large,
                             "the result holds more than " +
                                 std::to_string(query_limits::max_result_bytes >> 20) +
                                 " MiB of values (the limit on what a statement returns); select "
                                 "fewer columns or add a LIMIT"));
      }
      if (s->rows.size() > query_limits::max_result_rows) {
        return s->done(error(errc::sql_result_too_large,
                             "the result has more than " +
                                 std::to_string(query_limits::max_result_rows) +
                                 " rows (the limit on rows a statement returns); add a LIMIT"));
      }
      if (batch->end) return s->done(std::move(s->rows));
      collect_step(s);
    });
  });
}

}  // namespace

node_ptr build_select(exec_context& ctx, const select_plan& plan) {
  const bound_select& q = plan.query;
  node_ptr node = plan.first.kind == access_kind::no_table ? make_single_row(ctx)
                                                           : make_scan(ctx, plan.first);
  if (!plan.constant_filter.empty()) node = make_filter(ctx, std::move(node), plan.constant_filter);
  for (const auto& step : plan.joins) node = make_join(ctx, std::move(node), step);
  if (q.for_update) node = make_lock(ctx, std::move(node), q.from.tables);
  if (q.aggregate) {
    node = make_aggregate(ctx, std::move(node), q.agg);
    if (!q.having.empty()) node = make_filter(ctx, std::move(node), q.having);
  }
  node = make_project(ctx, std::move(node), q.outputs);
  if (q.distinct) node = make_distinct(ctx, std::move(node), q.visible);
  if (!q.order.empty()) {
    std::optional<std::size_t> keep;
    std::int64_t sum = 0;
    if (q.limit && !__builtin_add_overflow(*q.limit, q.offset, &sum)) {
      keep = static_cast<std::size_t>(sum);
    }
    node = make_sort(ctx, std::move(node), q.order, keep);
  }
  if (q.limit || q.offset > 0) node = make_limit(ctx, std::move(node), q.limit, q.offset);
  return node;
}

void collect_rows(exec_context& ctx, std::shared_ptr<exec_node> root, std::size_t width,
                  collect_callback done) {
  auto s = std::make_shared<collect_state>();
  s->ctx = &ctx;
  s->root = std::move(root);
  s->width = width;
  s->done = std::move(done);
  collect_step(std::move(s));
}

}  // namespace meridian::query
