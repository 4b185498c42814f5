// The batch overlay; see overlay.hpp. The merged cursor keeps it simple: every step is a seek
// (next = the first key above the current one, prev = the last key below it), which costs a
// logarithmic lookup per step and never has to reason about switching directions.
#include "storage/overlay.hpp"

namespace meridian::storage {

bool batch_overlay::family_view::range_deleted(std::string_view key) const {
  for (const auto& [start, end] : deleted_ranges) {
    if (key >= start && key < end) return true;
  }
  return false;
}

void batch_overlay::add(const kv_write_batch& b) {
  for (const auto& op : b.ops()) {
    auto& f = families_[static_cast<std::size_t>(op.family)];
    switch (op.kind) {
      case kv_write_batch::op_kind::put:
        f.entries.insert_or_assign(op.key, std::optional<std::string>(op.value));
        break;
      case kv_write_batch::op_kind::del:
        f.entries.insert_or_assign(op.key, std::optional<std::string>());
        break;
      case kv_write_batch::op_kind::del_range:
        f.entries.erase(f.entries.lower_bound(op.key), f.entries.lower_bound(op.value));
        f.deleted_ranges.emplace_back(op.key, op.value);
        break;
    }
  }
  batch_.append(b);
}

void batch_overlay::clear() {
  for (auto& f : families_) f = family_view{};
  batch_.clear();
}

bool batch_overlay::family_view::empty() const { return entries.empty() && deleted_ranges.empty(); }

namespace {

class overlay_cursor final : public kv_cursor {
 public:
  overlay_cursor(std::unique_ptr<kv_cursor> base, const batch_overlay::family_view& view)
      : base_(std::move(base)), view_(view) {}

  status seek(std::string_view key) override {
    MERIDIAN_TRY(base_->seek(key));
    over_ = view_.entries.lower_bound(key);
    return settle_forward();
  }
  status seek_for_prev(std::string_view key) override {
    MERIDIAN_TRY(base_->seek_for_prev(key));
    auto it = view_.entries.upper_bound(key);
    over_ = it == view_.entries.begin() ? view_.entries.end() : std::prev(it);
    return settle_backward();
  }
  status first() override { return seek(""); }
  status last() override {
    MERIDIAN_TRY(base_->last());
    over_ = view_.entries.empty() ? view_.entries.end() : std::prev(view_.entries.end());
    return settle_backward();
  }
  status next() override {
    if (!valid_) return ok_status();
    std::string after = key_ + '\0';
    return seek(after);
  }
  status prev() override {
    if (!valid_) return ok_status();
    std::string current = key_;
    MERIDIAN_TRY(base_->seek_for_prev(current));
    if (base_->valid() && base_->key() == current) MERIDIAN_TRY(base_->prev());
    auto it = view_.entries.lower_bound(current);
    over_ = it == view_.entries.begin() ? view_.entries.end() : std::prev(it);
    return settle_backward();
  }
  bool valid() const override { return valid_; }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }

 private:
  // Base entries inside a deleted range are invisible.
  status skip_deleted_base(bool forward) {
    while (base_->valid() && view_.range_deleted(base_->key())) {
      MERIDIAN_TRY(forward ? base_->next() : base_->prev());
    }
    return ok_status();
  }

  status settle(bool forward) {
    auto end = view_.entries.end();
    for (;;) {
      MERIDIAN_TRY(skip_deleted_base(forward));
      bool have_base = base_->valid();
      bool have_over = over_ != end;
      if (!have_base && !have_over) {
        valid_ = false;
        return ok_status();
      }
      bool take_over = have_over && (!have_base || (forward ? over_->first <= base_->key()
                                                            : over_->first >= base_->key()));
      if (!take_over) {
        set(base_->key(), base_->value());
        return ok_status();
      }
      bool shadows_base = have_base && over_->first == base_->key();
      if (over_->second.has_value()) {
        set(over_->first, *over_->second);
        return ok_status();
      }
      // A deleted key: skip it in both sources.
      if (shadows_base) MERIDIAN_TRY(forward ? base_->next() : base_->prev());
      if (forward) {
        ++over_;
      } else {
        over_ = over_ == view_.entries.begin() ? end : std::prev(over_);
      }
    }
  }
  status settle_forward() { return settle(true); }
  status settle_backward() { return settle(false); }

  void set(std::string_view k, std::string_view v) {
    valid_ = true;
    key_.assign(k);
    value_.assign(v);
  }

  std::unique_ptr<kv_cursor> base_;
  const batch_overlay::family_view& view_;
  std::map<std::string, std::optional<std::string>, std::less<>>::const_iterator over_;
  bool valid_ = false;
  std::string key_;
  std::string value_;
};

}  // namespace

result<std::optional<std::string_view>> overlay_snapshot::get(cf family, std::string_view key) {
  const auto& view = overlay_.family(family);
  auto it = view.entries.find(key);
  if (it != view.entries.end()) {
    if (!it->second) return std::optional<std::string_view>{};
    return std::optional<std::string_view>{std::string_view(*it->second)};
  }
  if (view.range_deleted(key)) return std::optional<std::string_view>{};
  return base_.get(family, key);
}

result<std::unique_ptr<kv_cursor>> overlay_snapshot::cursor(cf family) {
  auto base = base_.cursor(family);
  if (!base) return base.err();
  if (overlay_.family(family).empty()) return base;  // nothing to merge
  return std::unique_ptr<kv_cursor>(new overlay_cursor(std::move(*base), overlay_.family(family)));
}

namespace {

class owning_overlay final : public kv_snapshot {
 public:
  owning_overlay(std::unique_ptr<kv_snapshot> base, const batch_overlay& overlay)
      : base_(std::move(base)), view_(*base_, overlay) {}
  result<std::optional<std::string_view>> get(cf family, std::string_view key) override {
    return view_.get(family, key);
  }
  result<std::unique_ptr<kv_cursor>> cursor(cf family) override { return view_.cursor(family); }

 private:
  std::unique_ptr<kv_snapshot> base_;
  overlay_snapshot view_;
};

}  // namespace

std::unique_ptr<kv_snapshot> overlay_on(std::unique_ptr<kv_snapshot> base,
                                        const batch_overlay& overlay) {
  return std::make_unique<owning_overlay>(std::move(base), overlay);
}

result<std::unique_ptr<kv_snapshot>> layered_engine::snapshot() {
  auto base = base_.snapshot();
  if (!base || overlay_ == nullptr || overlay_->empty()) return base;
  return overlay_on(std::move(*base), *overlay_);
}

}  // namespace meridian::storage
