// History files; see history.hpp.
#include "check/history.hpp"

#include "common/file_text.hpp"

#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace meridian::check {

const char* op_type_name(op_type t) {
  switch (t) {
    case op_type::invoke: return "invoke";
    case op_type::ok: return "ok";
    case op_type::fail: return "fail";
    case op_type::info: return "info";
  }
  return "info";
}

json operation::to_json() const {
  json::object o;
  o["process"] = json(process);
  o["type"] = json(op_type_name(type));
  o["f"] = json(f);
  o["value"] = value;
  o["time"] = json(time_ns);
  return json(std::move(o));
}

result<operation> operation::from_json(const json& j) {
  if (!j.is_object()) return error(errc::invalid_argument, "a history line is not an object");
  operation op;
  if (!j["process"].is_int() || !j["type"].is_string() || !j["f"].is_string()) {
    return error(errc::invalid_argument,
                 "a history line needs an integer process and string type and f");
  }
  // Real-time order comes from `time`: a line without it would drop out of that check unseen.
  if (!j["time"].is_int() || j["time"].as_int() < 0) {
    return error(errc::invalid_argument,
                 "a history line needs a non-negative integer time (nanoseconds)");
  }
  op.process = j["process"].as_int();
  const std::string& t = j["type"].as_string();
  if (t == "invoke") {
    op.type = op_type::invoke;
  } else if (t == "ok") {
    op.type = op_type::ok;
  } else if (t == "fail") {
    op.type = op_type::fail;
  } else if (t == "info") {
    op.type = op_type::info;
  } else {
    return error(errc::invalid_argument, "unknown operation type '" + t + "'");
  }
  op.f = j["f"].as_string();
  op.value = j["value"];
  op.time_ns = j["time"].as_int();
  return op;
}

std::string to_jsonl(const history& h) {
  std::string out;
  for (const auto& op : h) out += op.to_json().dump() + "\n";
  return out;
}

result<history> parse_jsonl(std::string_view text) {
  history h;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto j = json::parse(line);
    if (!j) return error(errc::invalid_argument, "line " + std::to_string(line_no) + ": " +
                                                     j.err().message());
    auto op = operation::from_json(*j);
    if (!op) return error(errc::invalid_argument, "line " + std::to_string(line_no) + ": " +
                                                      op.err().message());
    h.push_back(std::move(*op));
  }
  return h;
}

result<history> read_history_file(const std::string& path) {
  // A history of a million operations is tens of MiB; the bound stops /dev/zero and the like.
  auto text = read_file_bounded(path, std::size_t{512} << 20, "history file");
  if (!text) return text.err();
  return parse_jsonl(*text);
}

status write_history_file(const std::string& path, const history& h) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return error(errc::invalid_argument, "cannot write history file " + path);
  out << to_jsonl(h);
  if (!out) return error(errc::storage_io, "writing history file " + path + " failed");
  return ok_status();
}

result<std::vector<paired_op>> pair_operations(const history& h) {
  std::vector<paired_op> out;
  std::map<std::int64_t, std::size_t> open;  // process -> index in out
  std::set<std::int64_t> retired;            // processes whose last operation ended info
  for (std::size_t i = 0; i < h.size(); ++i) {
    const operation& op = h[i];
    if (op.type == op_type::invoke) {
      if (retired.count(op.process)) {
        // Its info operation may still take effect at any later time: the process is never
        // done with it, so new operations come from a new process (DESIGN.md, history files).
        return error(errc::invalid_argument,
                     "process " + std::to_string(op.process) +
                         " invoked again after an info completion (line " + std::to_string(i + 1) +
                         "); a process with an unknown outcome continues under a new id");
      }
      if (open.count(op.process)) {
        return error(errc::invalid_argument, "process " + std::to_string(op.process) +
                                                 " invoked twice without completing (line " +
                                                 std::to_string(i + 1) + ")");
      }
      paired_op p;
      p.process = op.process;
      p.f = op.f;
      p.invoke_value = op.value;
      p.invoke_ns = op.time_ns;
      p.complete_ns = std::numeric_limits<std::int64_t>::max();
      p.index = i;
      p.complete_index = i;
      open[op.process] = out.size();
      out.push_back(std::move(p));
      continue;
    }
    auto it = open.find(op.process);
    if (it == open.end()) {
      return error(errc::invalid_argument, "process " + std::to_string(op.process) +
                                               " completed without an invocation (line " +
                                               std::to_string(i + 1) + ")");
    }
    paired_op& p = out[it->second];
    if (op.time_ns < p.invoke_ns) {
      // Real-time order rests on these: a completion before its own invocation is no history.
      return error(errc::invalid_argument,
                   "process " + std::to_string(op.process) + " completes at time " +
                       std::to_string(op.time_ns) + " (line " + std::to_string(i + 1) +
                       "), before its invocation at " + std::to_string(p.invoke_ns) +
                       " (line " + std::to_string(p.index + 1) + ")");
    }
    if (op.f != p.f) {
      return error(errc::invalid_argument,
                   "process " + std::to_string(op.process) + " completes '" + op.f + "' (line " +
                       std::to_string(i + 1) + ") an operation it invoked as '" + p.f +
                       "' (line " + std::to_string(p.index + 1) + ")");
    }
    p.outcome = op.type;
    p.result_value = op.value;
    p.complete_index = i;
    if (op.type != op_type::info) p.complete_ns = op.time_ns;
    if (op.type == op_type::info) retired.insert(op.process);
    open.erase(it);
  }
  return out;
}

}  // namespace meridian::check
