// The start timestamps of a node's transactions that are still running (PROTOCOL.md "Garbage
// collection": the safe point never passes the oldest active start_ts). A coordinator holds a
// registration for as long as its transaction can still read or commit; the node's GC reporter
// publishes the oldest. Thread-safe: coordinators on several actors share one set per node.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace meridian::txn {

class active_set : public std::enable_shared_from_this<active_set> {
 public:
  // Removes its timestamp from the set when destroyed. Move-only.
  class registration {
   public:
    registration() = default;
    registration(registration&& o) noexcept : set_(std::move(o.set_)), it_(o.it_) {}
    registration& operator=(registration&& o) noexcept;
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    ~registration() { release(); }
    void release();

   private:
    friend class active_set;
    registration(std::shared_ptr<active_set> set, std::multiset<std::uint64_t>::iterator it)
        : set_(std::move(set)), it_(it) {}
    std::shared_ptr<active_set> set_;
    std::multiset<std::uint64_t>::iterator it_;
  };

  // REQUIRES: the set is owned by a shared_ptr (registrations keep it alive).
  registration add(std::uint64_t start_ts);
  std::optional<std::uint64_t> oldest() const;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::multiset<std::uint64_t> active_;
};

}  // namespace meridian::txn
