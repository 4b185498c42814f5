// The scan operator and row fetching; see exec_scan.hpp. Every transaction call goes through
// exec_context::resume, so its completion runs from the trampoline.
#include "query/exec_scan.hpp"

#include "query/keys.hpp"
#include "query/query_limits.hpp"

namespace meridian::query {
namespace {

struct fetch_state {
  exec_context* ctx;
  std::vector<std::string> keys;
  std::size_t position = 0;
  std::vector<std::optional<std::string>> out;
  values_callback done;
};

void fetch_step(std::shared_ptr<fetch_state> s) {
  if (s->position >= s->keys.size()) return s->done(std::move(s->out));
  if (auto c = s->ctx->check_cancelled(); !c) return s->done(c.err());
  std::size_t n = std::min(query_limits::lookup_batch_keys, s->keys.size() - s->position);
  std::vector<std::string> chunk(s->keys.begin() + static_cast<long>(s->position),
                                 s->keys.begin() + static_cast<long>(s->position + n));
  s->position += n;
  s->ctx->txn().batch_get(
      std::move(chunk),
      s->ctx->resume<std::vector<std::optional<std::string>>>(
          [s](result<std::vector<std::optional<std::string>>> values) {
            if (!values) return s->done(values.err());
            for (auto& v : *values) s->out.push_back(std::move(v));
            fetch_step(s);
          }));
}

struct scan_all_state {
  exec_context* ctx;
  std::string next;
  std::string end;
  std::vector<txn::kv_pair> out;
  pairs_callback done;
};

void scan_all_step(std::shared_ptr<scan_all_state> s) {
  if (auto c = s->ctx->check_cancelled(); !c) return s->done(c.err());
  s->ctx->txn().scan(s->next, s->end, query_limits::scan_page_rows, false,
                     s->ctx->resume<txn::scan_page>([s](result<txn::scan_page> page) {
                       if (!page) return s->done(page.err());
                       for (auto& kv : page->rows) s->out.push_back(std::move(kv));
                       auto limit = exec_context::check_materialized(s->out.size(), "an index lookup");
                       if (!limit) return s->done(limit.err());
                       if (!page->more) return s->done(std::move(s->out));
                       s->next = std::move(page->resume_key);
                       scan_all_step(s);
                     }));
}

class scan_node final : public exec_node {
 public:
  scan_node(exec_context& ctx, const table_access& access) : exec_node(ctx), access_(access) {
    resume_ = access.start;
    finished_ = access.empty ||
                (!access.end.empty() && (access.kind == access_kind::range_scan ||
                                         access.kind == access_kind::full_scan ||
                                         access.kind == access_kind::index_scan) &&
                 access.start >= access.end);
  }

  void next(batch_callback done) override {
    if (finished_) return done(row_batch{{}, true});
    if (auto c = ctx_.check_cancelled(); !c) return done(c.err());
    switch (access_.kind) {
      case access_kind::point_get: return next_points(std::move(done));
      case access_kind::index_point: return next_index_points(std::move(done));
      case access_kind::index_scan: return next_index_page(std::move(done));
      default: return next_page(std::move(done));
    }
  }

 private:
  std::vector<std::string> next_key_chunk() {
    std::size_t n = std::min(query_limits::lookup_batch_keys, access_.keys.size() - next_key_);
    std::vector<std::string> chunk(access_.keys.begin() + static_cast<long>(next_key_),
                                   access_.keys.begin() + static_cast<long>(next_key_ + n));
    next_key_ += n;
    finished_ = next_key_ >= access_.keys.size();
    return chunk;
  }

  void next_points(batch_callback done) {
    fetch_rows(ctx_, access_.source.table, next_key_chunk(),
               [this, done](result<std::vector<std::optional<row>>> rows) {
                 emit(std::move(rows), done);
               });
  }

  void next_index_points(batch_callback done) {
    auto chunk = std::make_shared<std::vector<std::string>>(next_key_chunk());
    fetch_values(ctx_, *chunk,
                 [this, chunk, done](result<std::vector<std::optional<std::string>>> values) {
                   if (!values) return done(values.err());
                   std::vector<txn::kv_pair> entries;
                   for (std::size_t i = 0; i < values->size(); ++i) {
                     if ((*values)[i]) entries.push_back({(*chunk)[i], *(*values)[i]});
                   }
                   fetch_entries(entries, done);
                 });
  }

  void next_index_page(batch_callback done) {
    ctx_.txn().scan(resume_, access_.end, query_limits::scan_page_rows, false,
                    ctx_.resume<txn::scan_page>([this, done](result<txn::scan_page> page) {
                      if (!page) return done(page.err());
                      advance(*page);
                      fetch_entries(page->rows, done);
                    }));
  }

  void fetch_entries(const std::vector<txn::kv_pair>& entries, const batch_callback& done) {
    auto row_keys = row_keys_of_entries(*access_.source.table, *access_.index, entries);
    if (!row_keys) return done(row_keys.err());
    fetch_rows(ctx_, access_.source.table, std::move(*row_keys),
               [this, done](result<std::vector<std::optional<row>>> rows) {
                 emit(std::move(rows), done);
               });
  }

  void next_page(batch_callback done) {
    ctx_.txn().scan(resume_, access_.end, query_limits::scan_page_rows, false,
                    ctx_.resume<txn::scan_page>([this, done](result<txn::scan_page> page) {
                      if (!page) return done(page.err());
                      advance(*page);
                      std::vector<std::optional<row>> rows;
                      for (const auto& kv : page->rows) {
                        auto r = decode_row(*access_.source.table, kv.value);
                        if (!r) return done(r.err());
                        rows.emplace_back(std::move(*r));
                      }
                      emit(std::move(rows), done);
                    }));
  }

  void advance(txn::scan_page& page) {
    finished_ = !page.more;
    resume_ = std::move(page.resume_key);
  }

  void emit(result<std::vector<std::optional<row>>> rows, const batch_callback& done) {
    if (!rows) return done(rows.err());
    row_batch batch;
    batch.end = finished_;
    for (auto& r : *rows) {
      if (!r) {
        if (access_.kind == access_kind::index_point || access_.kind == access_kind::index_scan) {
          return done(error(errc::storage_corrupt,
                            "index " + access_.index->name + " points at a missing row"));
        }
        continue;
      }
      auto keep = passes(access_.filter, *r, ctx_.eval());
      if (!keep) return done(keep.err());
      if (*keep) batch.rows.push_back(std::move(*r));
    }
    done(std::move(batch));
  }

  const table_access& access_;
  std::size_t next_key_ = 0;
  std::string resume_;
  bool finished_ = false;
};

}  // namespace

void fetch_values(exec_context& ctx, std::vector<std::string> keys, values_callback done) {
  auto s = std::make_shared<fetch_state>();
  s->ctx = &ctx;
  s->keys = std::move(keys);
  s->done = std::move(done);
  s->out.reserve(s->keys.size());
  fetch_step(std::move(s));
}

void fetch_rows(exec_context& ctx, descriptor_ptr table, std::vector<std::string> keys,
                rows_callback done) {
  fetch_values(ctx, std::move(keys),
               [table, done](result<std::vector<std::optional<std::string>>> values) {
                 if (!values) return done(values.err());
                 std::vector<std::optional<row>> out;
                 out.reserve(values->size());
                 for (auto& v : *values) {
                   if (!v) {
                     out.emplace_back();
                     continue;
                   }
                   auto r = decode_row(*table, *v);
                   if (!r) return done(r.err());
                   out.emplace_back(std::move(*r));
                 }
                 done(std::move(out));
               });
}

void scan_all(exec_context& ctx, std::string start, std::string end, pairs_callback done) {
  auto s = std::make_shared<scan_all_state>();
  s->ctx = &ctx;
  s->next = std::move(start);
  s->end = std::move(end);
  s->done = std::move(done);
  scan_all_step(std::move(s));
}

result<std::vector<std::string>> row_keys_of_entries(const table_descriptor& table,
                                                     const index_descriptor& index,
                                                     const std::vector<txn::kv_pair>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    auto pk = keys::primary_key_of_entry(table, index, e.key, e.value);
    if (!pk) return pk.err();
    out.push_back(keys::row_key(table.id, *pk));
  }
  return out;
}

result<bool> passes(const std::vector<bound_expr>& filter, const row& r, const eval_context& ctx) {
  for (const auto& f : filter) {
    auto ok = evaluate_predicate(f, r, ctx);
    if (!ok || !*ok) return ok;
  }
  return true;
}

node_ptr make_scan(exec_context& ctx, const table_access& access) {
  MERIDIAN_ASSERT(access.kind != access_kind::no_table, "a scan needs a table");
  return node_ptr(new scan_node(ctx, access));
}

}  // namespace meridian::query
