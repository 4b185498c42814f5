// In-memory twin; see memory_engine.hpp.
#include "storage/memory_engine.hpp"

namespace meridian::storage {
namespace {

class memory_cursor final : public kv_cursor {
 public:
  memory_cursor(std::shared_ptr<const memory_engine::state> s, const memory_engine::table& t)
      : state_(std::move(s)), table_(t), it_(t.end()) {}

  status seek(std::string_view key) override {
    it_ = table_.lower_bound(key);
    return ok_status();
  }
  status seek_for_prev(std::string_view key) override {
    it_ = table_.upper_bound(key);
    step_back();
    return ok_status();
  }
  status first() override {
    it_ = table_.begin();
    return ok_status();
  }
  status last() override {
    it_ = table_.end();
    step_back();
    return ok_status();
  }
  status next() override {
    if (it_ != table_.end()) ++it_;
    return ok_status();
  }
  status prev() override {
    if (it_ != table_.end()) step_back();
    return ok_status();
  }
  bool valid() const override { return it_ != table_.end(); }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }

 private:
  void step_back() {
    if (it_ == table_.begin()) {
      it_ = table_.end();
    } else {
      --it_;
    }
  }
  std::shared_ptr<const memory_engine::state> state_;  // keeps the version alive
  const memory_engine::table& table_;
  memory_engine::table::const_iterator it_;
};

class memory_snapshot final : public kv_snapshot {
 public:
  explicit memory_snapshot(std::shared_ptr<const memory_engine::state> s) : state_(std::move(s)) {}

  result<std::optional<std::string_view>> get(cf family, std::string_view key) override {
    const auto& t = state_->families[static_cast<std::size_t>(family)];
    auto it = t.find(key);
    if (it == t.end()) return std::optional<std::string_view>{};
    return std::optional<std::string_view>{it->second};
  }
  result<std::unique_ptr<kv_cursor>> cursor(cf family) override {
    return std::unique_ptr<kv_cursor>(
        new memory_cursor(state_, state_->families[static_cast<std::size_t>(family)]));
  }

 private:
  std::shared_ptr<const memory_engine::state> state_;
};

}  // namespace

memory_engine::memory_engine() : current_(std::make_shared<state>()) {}

result<std::unique_ptr<kv_snapshot>> memory_engine::snapshot() {
  return std::unique_ptr<kv_snapshot>(new memory_snapshot(current_));
}

void memory_engine::apply(state& s, const kv_write_batch& batch) {
  for (const auto& op : batch.ops()) {
    auto& t = s.families[static_cast<std::size_t>(op.family)];
    switch (op.kind) {
      case kv_write_batch::op_kind::put:
        t.insert_or_assign(op.key, op.value);
        break;
      case kv_write_batch::op_kind::del:
        t.erase(op.key);
        break;
      case kv_write_batch::op_kind::del_range:
        t.erase(t.lower_bound(op.key), t.lower_bound(op.value));
        break;
    }
  }
}

status memory_engine::write(const kv_write_batch& batch, durability d) {
  // Copy on write only while a snapshot still shares the current version.
  if (current_.use_count() > 1) current_ = std::make_shared<state>(*current_);
  apply(*current_, batch);
  unsynced_.push_back(batch);
  if (d == durability::sync) return sync();
  return ok_status();
}

status memory_engine::sync() {
  for (const auto& b : unsynced_) apply(durable_, b);
  unsynced_.clear();
  return ok_status();
}

void memory_engine::lose_power() {
  unsynced_.clear();
  current_ = std::make_shared<state>(durable_);
}

std::size_t memory_engine::approximate_bytes() const {
  std::size_t n = 0;
  for (const auto& t : current_->families) {
    for (const auto& [k, v] : t) n += k.size() + v.size();
  }
  return n;
}

}  // namespace meridian::storage
