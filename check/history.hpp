// Histories in Jepsen's shape (DESIGN.md "History files"): one JSON object a line,
// {"process":P,"type":"invoke"|"ok"|"fail"|"info","f":F,"value":V,"time":T}, time in simulated
// nanoseconds. A timeout or a crash is `info` (outcome unknown), never `fail`. Written by the
// simulator's workloads and read by `meridian check`. Pure data and parsing.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "check/json.hpp"

namespace meridian::check {

enum class op_type : std::uint8_t { invoke, ok, fail, info };
const char* op_type_name(op_type t);

struct operation {
  std::int64_t process = 0;
  op_type type = op_type::invoke;
  std::string f;
  json value;
  std::int64_t time_ns = 0;

  json to_json() const;
  static result<operation> from_json(const json& j);
};

using history = std::vector<operation>;

std::string to_jsonl(const history& h);
// Parses a whole history; a malformed line is an error naming its line number.
result<history> parse_jsonl(std::string_view text);
result<history> read_history_file(const std::string& path);
status write_history_file(const std::string& path, const history& h);

// A completed operation: its invocation paired with its completion (ok, fail or info). An
// invocation without a completion (the history ended) is treated as info.
struct paired_op {
  std::int64_t process = 0;
  std::string f;
  json invoke_value;
  json result_value;
  op_type outcome = op_type::info;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = 0;  // INT64_MAX for info
  std::size_t index = 0;         // position of the invocation in the history
  std::size_t complete_index = 0;  // position of the completion (== index when there is none)
};

// Pairs invocations with completions by process. Fails when a process invokes twice without a
// completion, or completes without an invocation.
result<std::vector<paired_op>> pair_operations(const history& h);

// The verdict of a checker: valid, or the anomalies it found, each a human-readable line.
struct check_result {
  bool valid = true;
  std::vector<std::string> anomalies;
  std::size_t operations = 0;
  // Anomalies that are violations. Not valid with none of them: the checker could not decide
  // (a size or search bound), "unknown" as Jepsen's :valid? :unknown.
  std::size_t violations = 0;
  // Operations not shaped as the workload's: the file is malformed (exit 2), whatever else.
  std::size_t malformed = 0;
  bool undecided() const { return !valid && violations == 0; }
  void fail(std::string why) {
    valid = false;
    ++violations;
    if (anomalies.size() < 50) anomalies.push_back(std::move(why));
  }
  // The input is not a history of this workload (exit 2 from meridian check).
  void reject(std::string why) {
    valid = false;
    ++malformed;
    if (anomalies.size() < 50) anomalies.push_back("malformed: " + std::move(why));
  }
  void give_up(std::string why) {
    valid = false;
    if (anomalies.size() < 50) anomalies.push_back("undecided: " + std::move(why));
  }
};

}  // namespace meridian::check
