// The executor's runtime: a trampoline that runs a statement's continuations one at a time,
// and the per-statement context operators share (transaction, evaluation context, limits).
// Why a trampoline: the transaction interface may call back inline (the local engine) or later
// on another thread (the cluster); if every completion ran its continuation directly, inline
// callbacks would nest one stack frame per row batch and a long scan would overflow the
// stack. Instead completions post continuations to the statement's queue and whichever
// thread posts first drains it; the stack depth stays bounded by the plan's depth.
// Thread-safety: post() may be called from any thread; continuations never run concurrently.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "query/bound_expr.hpp"
#include "query/row_codec.hpp"
#include "txn/transaction.hpp"

namespace meridian::query {

class trampoline : public std::enable_shared_from_this<trampoline> {
 public:
  // Queues `task`; runs the queue now unless a drain is already under way (on this thread,
  // further up the stack, or on another thread), in which case that drain runs it.
  // REQUIRES: the trampoline is owned by a shared_ptr.
  void post(std::function<void()> task);
  // Tasks run so far (tests check that work went through the queue).
  std::uint64_t tasks_run() const { return tasks_run_.load(); }

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;
  bool draining_ = false;
  std::atomic<std::uint64_t> tasks_run_{0};
};

// A transaction callback that posts `k` with the result to `t` instead of running it inline.
template <class T>
txn::callback<T> via_trampoline(std::shared_ptr<trampoline> t, std::function<void(result<T>)> k) {
  return [t, k = std::move(k)](result<T> r) {
    auto holder = std::make_shared<result<T>>(std::move(r));
    t->post([k, holder]() { k(std::move(*holder)); });
  };
}

struct row_batch {
  std::vector<row> rows;
  bool end = false;  // no batch follows
};
using batch_callback = std::function<void(result<row_batch>)>;

class exec_context {
 public:
  exec_context(std::shared_ptr<trampoline> t, txn::transaction& txn, eval_context eval,
               const std::atomic<bool>* cancelled)
      : trampoline_(std::move(t)), txn_(txn), eval_(eval), cancelled_(cancelled) {}

  txn::transaction& txn() { return txn_; }
  const eval_context& eval() const { return eval_; }
  void post(std::function<void()> task) { trampoline_->post(std::move(task)); }

  // A transaction callback that posts `k` with the result instead of running it inline.
  template <class T>
  txn::callback<T> resume(std::function<void(result<T>)> k) {
    return via_trampoline<T>(trampoline_, std::move(k));
  }

  // errc::cancelled once session::cancel() was called.
  status check_cancelled() const;
  // errc::sql_result_too_large when an operator would hold more than
  // query_limits::max_materialized_rows rows. `what` names the operator.
  static status check_materialized(std::size_t rows, const char* what);

 private:
  std::shared_ptr<trampoline> trampoline_;
  txn::transaction& txn_;
  eval_context eval_;
  const std::atomic<bool>* cancelled_;
};

// An operator: produces batches of rows on demand, asynchronously.
class exec_node {
 public:
  explicit exec_node(exec_context& ctx) : ctx_(ctx) {}
  virtual ~exec_node() = default;
  exec_node(const exec_node&) = delete;
  exec_node& operator=(const exec_node&) = delete;

  // Delivers the next batch (maybe empty; `end` on the last). Not called again after `end`.
  virtual void next(batch_callback done) = 0;

 protected:
  // Asks `child` for its next batch from the trampoline, never on this stack, so operators
  // that loop (filters that drop whole batches, joins) cannot nest frames.
  void pull(exec_node& child, batch_callback done) {
    ctx_.post([&child, done = std::move(done)]() mutable { child.next(std::move(done)); });
  }
  exec_context& ctx_;
};

using node_ptr = std::unique_ptr<exec_node>;

}  // namespace meridian::query
