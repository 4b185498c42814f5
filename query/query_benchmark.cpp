// The SQL benchmarks behind query_benchmark.hpp. Checksums over the results keep the compiler
// from skipping work; every statement must succeed (a failure is a bug: assert).
#include "query/query_benchmark.hpp"

#include <chrono>
#include <random>

#include "common/assert.hpp"
#include "query/bound_statement.hpp"
#include "query/local_database.hpp"
#include "query/planner.hpp"
#include "query/session.hpp"
#include "sql_lite_parser/parser.hpp"

namespace meridian::query {
namespace {

using bench_clock = std::chrono::steady_clock;

double per_second(int n, bench_clock::time_point start) {
  std::chrono::duration<double> elapsed = bench_clock::now() - start;
  return elapsed.count() > 0 ? n / elapsed.count() : 0.0;
}

descriptor_ptr point_table() {
  auto t = std::make_shared<table_descriptor>();
  t->id = 1;
  t->name = "t";
  for (auto [name, type] : {std::pair<const char*, sql_type>{"id", sql_type::bigint()},
                            {"a", sql_type::bigint()},
                            {"b", sql_type::text()}}) {
    column_descriptor c;
    c.id = t->next_column_id++;
    c.name = name;
    c.type = type;
    t->columns.push_back(c);
  }
  t->primary_key = {1};
  return t;
}

std::unique_ptr<local_database> open_lmdb() {
  auto db = local_database::open(local_database::storage_kind::lmdb);
  MERIDIAN_ASSERT(db.ok(), db.ok() ? "" : db.err().to_string());
  return std::move(*db);
}

void must(session& s, const std::string& sql, const std::vector<datum>& params = {}) {
  auto r = s.execute(sql, params);
  MERIDIAN_ASSERT(r.ok(), r.ok() ? "" : r.err().to_string());
}

}  // namespace

double bench_bind_plan_point_select(int iterations) {
  MERIDIAN_ASSERT(iterations > 0, "the benchmark needs at least one iteration");
  static volatile std::size_t sink = 0;
  table_map tables{{"t", point_table()}};
  constexpr std::string_view sql = "SELECT a, b FROM t WHERE id = 42";
  std::vector<datum> no_params;
  std::size_t checksum = 0;
  auto start = bench_clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto st = sql::parse_statement(sql);
    MERIDIAN_ASSERT(st.ok(), "the benchmark statement must parse");
    bind_context ctx{sql, &no_params};
    auto bound = bind_statement(*st, tables, ctx);
    MERIDIAN_ASSERT(bound.ok(), "the benchmark statement must bind");
    plan_context pctx;
    pctx.eval.source = sql;
    auto plan = plan_statement(std::move(*bound), pctx);
    MERIDIAN_ASSERT(plan.ok(), "the benchmark statement must plan");
    checksum += std::get<select_plan>(plan->node).first.keys.size();
  }
  double rate = per_second(iterations, start);
  sink = sink + checksum;
  return rate;
}

double bench_point_select_lmdb(int rows, int iterations) {
  MERIDIAN_ASSERT(rows > 0 && iterations > 0, "the benchmark needs rows and iterations");
  auto db = open_lmdb();
  session s(db->engine());
  must(s, "CREATE TABLE t (id BIGINT PRIMARY KEY, a BIGINT, b TEXT)");
  constexpr int rows_per_insert = 500;
  for (int first = 0; first < rows; first += rows_per_insert) {
    std::string values;
    for (int id = first; id < std::min(rows, first + rows_per_insert); ++id) {
      values += (values.empty() ? "(" : ", (") + std::to_string(id) + ", " + std::to_string(id * 3) +
                ", 'row " + std::to_string(id) + "')";
    }
    must(s, "INSERT INTO t VALUES " + values);
  }
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> pick(0, rows - 1);
  std::size_t found = 0;
  auto start = bench_clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto r = s.execute("SELECT a, b FROM t WHERE id = $1", {datum(pick(rng))});
    MERIDIAN_ASSERT(r.ok(), r.ok() ? "" : r.err().to_string());
    found += r->rows.size();
  }
  double rate = per_second(iterations, start);
  MERIDIAN_ASSERT(found == static_cast<std::size_t>(iterations), "every point select finds its row");
  return rate;
}

double bench_insert_lmdb(int iterations) {
  MERIDIAN_ASSERT(iterations > 0, "the benchmark needs at least one iteration");
  auto db = open_lmdb();
  session s(db->engine());
  must(s, "CREATE TABLE t (id BIGINT PRIMARY KEY, a BIGINT, b TEXT)");
  auto start = bench_clock::now();
  for (int i = 0; i < iterations; ++i) {
    must(s, "INSERT INTO t VALUES ($1, $2, 'x')", {datum(std::int64_t{i}), datum(std::int64_t{i * 2})});
  }
  return per_second(iterations, start);
}

}  // namespace meridian::query
