// The session's public entry points; the work happens in statement_run (statement_run.hpp).
#include "query/session.hpp"

#include <future>
#include <random>
#include <thread>

#include "query/query_limits.hpp"
#include "query/statement_run.hpp"

namespace meridian::query {
namespace {

std::uint32_t random_salt() {
  std::random_device rd;
  return rd();
}

void sleep_then_run(std::uint32_t delay_ms, std::function<void()> task) {
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  task();
}

}  // namespace

session::session(txn::transaction_engine& engine, session_options options)
    : engine_(engine),
      options_(std::move(options)),
      ids_(options_.id_salt != 0 ? options_.id_salt : random_salt()) {
  if (options_.placement == nullptr) {
    own_placement_ = std::make_unique<local_placement_hook>();
    options_.placement = own_placement_.get();
  }
  if (options_.cluster == nullptr) {
    own_cluster_ = std::make_unique<local_cluster_view>();
    options_.cluster = own_cluster_.get();
  }
  if (!options_.defer) options_.defer = sleep_then_run;
  if (options_.backfill_batch_rows == 0) {
    options_.backfill_batch_rows = query_limits::backfill_batch_rows;
  }
}

session::~session() {
  MERIDIAN_ASSERT(!running_.load(), "a session was destroyed while a statement was running");
  if (txn_) txn_->rollback([](result<txn::unit>) {});
}

result<result_set> session::execute(std::string_view sql, const std::vector<datum>& params) {
  std::promise<result<result_set>> promise;
  auto future = promise.get_future();
  execute_async(std::string(sql), params,
                [&promise](result<result_set> r) { promise.set_value(std::move(r)); });
  return future.get();
}

result<std::vector<std::string>> session::finish_interrupted_ddl() {
  std::promise<result<result_set>> promise;
  auto future = promise.get_future();
  new_run("", {}, [&promise](result<result_set> r) { promise.set_value(std::move(r)); })
      ->start_recovery();
  auto r = future.get();
  if (!r) return r.err();
  std::vector<std::string> notes;
  for (const auto& row : r->rows) notes.push_back(std::get<std::string>(row[0]));
  return notes;
}

void session::execute_async(std::string sql, std::vector<datum> params, result_callback done) {
  new_run(std::move(sql), std::move(params), std::move(done))->start();
}

std::shared_ptr<statement_run> session::new_run(std::string sql, std::vector<datum> params,
                                                result_callback done) {
  bool was_running = running_.exchange(true);
  MERIDIAN_ASSERT(!was_running, "a session runs one statement at a time");
  cancelled_.store(false);
  return std::make_shared<statement_run>(*this, std::move(sql), std::move(params), std::move(done));
}

}  // namespace meridian::query
