// A small JSON value with a parser and a compact printer, enough for Jepsen-shaped history files
// (one object a line) and their checkers. Parsing untrusted text never crashes: malformed input
// is an errc::invalid_argument error with the byte offset. Pure; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace meridian::check {

class json {
 public:
  using array = std::vector<json>;
  using object = std::map<std::string, json>;

  json() = default;  // null
  json(std::nullptr_t) {}
  json(bool b) : value_(b) {}
  json(int v) : value_(static_cast<std::int64_t>(v)) {}
  json(std::int64_t v) : value_(v) {}
  json(std::uint64_t v) : value_(static_cast<std::int64_t>(v)) {}
  json(double v) : value_(v) {}
  json(const char* s) : value_(std::string(s)) {}
  json(std::string s) : value_(std::move(s)) {}
  json(array a) : value_(std::make_shared<array>(std::move(a))) {}
  json(object o) : value_(std::make_shared<object>(std::move(o))) {}

  bool is_null() const { return value_.index() == 0; }
  bool is_bool() const { return value_.index() == 1; }
  bool is_int() const { return value_.index() == 2; }
  bool is_number() const { return value_.index() == 2 || value_.index() == 3; }
  bool is_string() const { return value_.index() == 4; }
  bool is_array() const { return value_.index() == 5; }
  bool is_object() const { return value_.index() == 6; }

  // REQUIRES: the matching is_*() is true.
  bool as_bool() const { return std::get<1>(value_); }
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const { return std::get<4>(value_); }
  const array& as_array() const { return *std::get<5>(value_); }
  // Mutable access copies first when another json shares the contents: copies of a json are
  // independent values (a history's invoke must not change when its completion is filled in).
  array& as_array() { return own(std::get<5>(value_)); }
  const object& as_object() const { return *std::get<6>(value_); }
  object& as_object() { return own(std::get<6>(value_)); }

  // Object member or null when absent (or when this is not an object).
  const json& operator[](const std::string& key) const;

  std::string dump() const;
  static result<json> parse(std::string_view text);

  friend bool operator==(const json& a, const json& b);
  friend bool operator!=(const json& a, const json& b) { return !(a == b); }
  friend bool operator<(const json& a, const json& b);

 private:
  template <typename T>
  static T& own(std::shared_ptr<T>& shared) {
    if (shared.use_count() > 1) shared = std::make_shared<T>(*shared);
    return *shared;
  }

  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, std::shared_ptr<array>,
               std::shared_ptr<object>>
      value_;
};

}  // namespace meridian::check
