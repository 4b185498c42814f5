// The trampoline and the execution context; see exec_context.hpp.
#include "query/exec_context.hpp"

#include "query/query_limits.hpp"

namespace meridian::query {

void trampoline::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
    if (draining_) return;
    draining_ = true;
  }
  // The last task may release the statement that owns this trampoline.
  auto keep_alive = shared_from_this();
  for (;;) {
    std::function<void()> next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) {
        draining_ = false;
        return;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    tasks_run_.fetch_add(1, std::memory_order_relaxed);
    next();
  }
}

status exec_context::check_cancelled() const {
  if (cancelled_ != nullptr && cancelled_->load()) {
    return error(errc::cancelled, "the statement was cancelled");
  }
  return ok_status();
}

status exec_context::check_materialized(std::size_t rows, const char* what) {
  if (rows <= query_limits::max_materialized_rows) return ok_status();
  return error(errc::sql_result_too_large,
               std::string(what) + " would hold more than " +
                   std::to_string(query_limits::max_materialized_rows) +
                   " rows (the limit on rows held in memory); narrow it with WHERE or LIMIT");
}

}  // namespace meridian::query
