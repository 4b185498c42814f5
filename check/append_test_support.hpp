// Builders for list-append histories in tests: micro-operations, transactions invoked and
// completed on chosen processes at chosen times, and the option sets and report queries the append
// checker's tests share. Test-only; header-only.
#pragma once

#include <string>
#include <vector>

#include "check/append_checker.hpp"

namespace meridian::check::append_testing {

// Built element by element: g++ 12 warns (maybe-uninitialized, a known false positive) when an
// initializer list of json variants is copied in a header inlined into several tests.
inline json micro(const char* f, json key, json arg) {
  json::array parts;
  parts.reserve(3);
  parts.push_back(json(f));
  parts.push_back(std::move(key));
  parts.push_back(std::move(arg));
  return json(std::move(parts));
}
inline json op_append(json key, int value) { return micro("append", std::move(key), json(value)); }
inline json op_read(json key) { return micro("r", std::move(key), json()); }
inline json op_read(json key, const std::vector<int>& list) {
  json::array values;
  for (int v : list) values.push_back(json(v));
  return micro("r", std::move(key), json(std::move(values)));
}

// The invocation of a transaction: its micro-operations with the reads not yet filled in.
inline json::array invocation_of(const json::array& mops) {
  json::array out;
  for (const json& m : mops) {
    const json::array& parts = m.as_array();
    out.push_back(parts[0].as_string() == "r" ? op_read(parts[1]) : m);
  }
  return out;
}

struct txn_history {
  history h;
  // Returns the transaction's name in reports: T and the line of its invocation.
  std::string invoke(int process, const json::array& mops, std::int64_t t) {
    h.push_back(operation{process, op_type::invoke, "txn", json(invocation_of(mops)), t});
    return "T" + std::to_string(h.size());
  }
  void complete(int process, op_type type, const json::array& mops, std::int64_t t) {
    json value = type == op_type::ok ? json(mops) : json(invocation_of(mops));
    h.push_back(operation{process, type, "txn", std::move(value), t});
  }
  std::string run(int process, op_type type, const json::array& mops, std::int64_t start,
                  std::int64_t end) {
    std::string name = invoke(process, mops, start);
    complete(process, type, mops, end);
    return name;
  }
  std::string ok(int process, const json::array& mops, std::int64_t start, std::int64_t end) {
    return run(process, op_type::ok, mops, start, end);
  }
};

inline append_options strict_si() {
  append_options o;
  o.strict = true;
  return o;
}
inline append_options serializable(bool strict = false) {
  append_options o;
  o.isolation = isolation_level::serializable;
  o.strict = strict;
  return o;
}

inline bool has_line(const std::vector<std::string>& lines, const std::string& a,
                     const std::string& b = "", const std::string& c = "") {
  for (const auto& line : lines) {
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos &&
        line.find(c) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline std::size_t total(const append_result& r) {
  std::size_t n = 0;
  for (const auto& [name, count] : r.counts) n += count;
  return n;
}

}  // namespace meridian::check::append_testing
