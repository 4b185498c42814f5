// result<T>: a value or an error (LevelDB's Status, C++23's expected). Expected failures travel as
// values; `status` is result<void>. Plain data, no threads.
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "common/assert.hpp"
#include "common/error.hpp"

namespace meridian {

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  result(error e) : state_(std::in_place_index<1>, std::move(e)) {}      // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & {
    MERIDIAN_ASSERT(ok(), "value() of a failed result: " + std::get<1>(state_).to_string());
    return std::get<0>(state_);
  }
  const T& value() const& {
    MERIDIAN_ASSERT(ok(), "value() of a failed result: " + std::get<1>(state_).to_string());
    return std::get<0>(state_);
  }
  T&& value() && {
    MERIDIAN_ASSERT(ok(), "value() of a failed result: " + std::get<1>(state_).to_string());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // REQUIRES: !ok().
  const error& err() const {
    MERIDIAN_ASSERT(!ok(), "err() of a successful result");
    return std::get<1>(state_);
  }

 private:
  std::variant<T, error> state_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error e) : error_(std::move(e)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const error& err() const {
    MERIDIAN_ASSERT(!ok(), "err() of a successful status");
    return *error_;
  }

 private:
  std::optional<error> error_;
};

using status = result<void>;

inline status ok_status() { return status{}; }

}  // namespace meridian

// Propagates a failed status or result from the enclosing function.
#define MERIDIAN_TRY(expr)                              \
  do {                                                  \
    auto meridian_try_result_ = (expr);                 \
    if (!meridian_try_result_.ok()) return meridian_try_result_.err(); \
  } while (false)
