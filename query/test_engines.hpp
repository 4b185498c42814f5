// Test support (header only, used by query/*_test.cpp): a transaction_engine decorator whose
// calls complete later, in an order a seeded random generator picks, so tests can run several
// sessions "concurrently" on one thread and interleave their asynchronous steps
// deterministically (the seed replays an interleaving). Single-threaded.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <utility>

#include "txn/transaction.hpp"

namespace meridian::query::testing {

class deferred_engine final : public txn::transaction_engine {
 public:
  deferred_engine(txn::transaction_engine& inner, std::uint64_t seed) : inner_(inner), rng_(seed) {}

  void begin(txn::begin_options options,
             txn::callback<std::unique_ptr<txn::transaction>> done) override;

  // Runs one queued call chosen at random; false when nothing is queued.
  bool pump_one() {
    if (queue_.empty()) return false;
    std::uniform_int_distribution<std::size_t> pick(0, queue_.size() - 1);
    std::size_t i = pick(rng_);
    auto call = std::move(queue_[i]);
    queue_.erase(queue_.begin() + static_cast<long>(i));
    call();
    return true;
  }
  std::size_t pending() const { return queue_.size(); }
  void enqueue(std::function<void()> call) { queue_.push_back(std::move(call)); }

 private:
  txn::transaction_engine& inner_;
  std::mt19937_64 rng_;
  std::deque<std::function<void()>> queue_;
};

// Every asynchronous call of the wrapped transaction runs when the engine pumps it.
class deferred_transaction final : public txn::transaction {
 public:
  deferred_transaction(deferred_engine& engine, std::unique_ptr<txn::transaction> inner)
      : engine_(engine), inner_(std::move(inner)) {}

  std::uint64_t start_ts() const override { return inner_->start_ts(); }
  void get(std::string key, txn::callback<std::optional<std::string>> done) override {
    engine_.enqueue([this, key, done]() { inner_->get(key, done); });
  }
  void batch_get(std::vector<std::string> keys,
                 txn::callback<std::vector<std::optional<std::string>>> done) override {
    engine_.enqueue([this, keys, done]() { inner_->batch_get(keys, done); });
  }
  void scan(std::string start, std::string end, std::size_t limit, bool reverse,
            txn::callback<txn::scan_page> done) override {
    engine_.enqueue([this, start, end, limit, reverse, done]() {
      inner_->scan(start, end, limit, reverse, done);
    });
  }
  status put(std::string key, std::string value) override {
    return inner_->put(std::move(key), std::move(value));
  }
  status del(std::string key) override { return inner_->del(std::move(key)); }
  status lock_keys(std::vector<std::string> keys) override {
    return inner_->lock_keys(std::move(keys));
  }
  status validate_unchanged(std::string key) override {
    return inner_->validate_unchanged(std::move(key));
  }
  void commit(txn::callback<std::uint64_t> done) override {
    engine_.enqueue([this, done]() { inner_->commit(done); });
  }
  void rollback(txn::callback<txn::unit> done) override {
    // Rollback is fire-and-forget for callers that drop the transaction right after, so it
    // runs at once (the transaction object may be gone by the time a pump would run it).
    inner_->rollback(std::move(done));
  }
  const txn::ledger& round_trips() const override { return inner_->round_trips(); }

 private:
  deferred_engine& engine_;
  std::unique_ptr<txn::transaction> inner_;
};

inline void deferred_engine::begin(txn::begin_options options,
                                   txn::callback<std::unique_ptr<txn::transaction>> done) {
  enqueue([this, options, done]() {
    inner_.begin(options, [this, done](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) return done(t.err());
      done(std::unique_ptr<txn::transaction>(new deferred_transaction(*this, std::move(*t))));
    });
  });
}

}  // namespace meridian::query::testing
