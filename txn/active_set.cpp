// See active_set.hpp.
#include "txn/active_set.hpp"

namespace meridian::txn {

active_set::registration& active_set::registration::operator=(registration&& o) noexcept {
  if (this != &o) {
    release();
    set_ = std::move(o.set_);
    it_ = o.it_;
  }
  return *this;
}

void active_set::registration::release() {
  if (!set_) return;
  std::lock_guard<std::mutex> lock(set_->mu_);
  set_->active_.erase(it_);
  set_.reset();
}

active_set::registration active_set::add(std::uint64_t start_ts) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.insert(start_ts);
  return registration(shared_from_this(), it);
}

std::optional<std::uint64_t> active_set::oldest() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (active_.empty()) return std::nullopt;
  return *active_.begin();
}

std::size_t active_set::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.size();
}

}  // namespace meridian::txn
