// JSON parsing and printing; see json.hpp. Recursion depth is bounded so hostile input cannot
// overflow the stack.
#include "check/json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace meridian::check {
namespace {

constexpr int max_depth = 64;

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  result<json> document() {
    auto v = value(0);
    if (!v) return v;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the JSON value");
    return v;
  }

 private:
  error fail(const std::string& what) const {
    return error(errc::invalid_argument,
                 "malformed JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  result<json> value(int depth) {
    if (depth > max_depth) return fail("nesting deeper than 64");
    skip_space();
    if (pos_ >= text_.size()) return fail("unexpected end of input");
    char c = text_[pos_];
    if (c == '{') return object_value(depth);
    if (c == '[') return array_value(depth);
    if (c == '"') {
      auto s = string_value();
      if (!s) return s.err();
      return json(std::move(*s));
    }
    if (literal("null")) return json();
    if (literal("true")) return json(true);
    if (literal("false")) return json(false);
    return number_value();
  }

  result<json> object_value(int depth) {
    ++pos_;
    json::object out;
    if (eat('}')) return json(std::move(out));
    do {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name");
      auto key = string_value();
      if (!key) return key.err();
      if (!eat(':')) return fail("expected ':'");
      auto v = value(depth + 1);
      if (!v) return v;
      out[*key] = std::move(*v);
    } while (eat(','));
    if (!eat('}')) return fail("expected ',' or '}'");
    return json(std::move(out));
  }

  result<json> array_value(int depth) {
    ++pos_;
    json::array out;
    if (eat(']')) return json(std::move(out));
    do {
      auto v = value(depth + 1);
      if (!v) return v;
      out.push_back(std::move(*v));
    } while (eat(','));
    if (!eat(']')) return fail("expected ',' or ']'");
    return json(std::move(out));
  }

  result<std::string> string_value() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return fail("short \\u escape");
          unsigned code = static_cast<unsigned>(
              std::strtoul(std::string(text_.substr(pos_, 4)).c_str(), nullptr, 16));
          pos_ += 4;
          if (code < 0x80) {
            out.push_back(static_cast<char>(code));
          } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
          }
          break;
        }
        default: out.push_back(e); break;
      }
    }
    return fail("unterminated string");
  }

  result<json> number_value() {
    std::size_t start = pos_;
    bool is_float = false;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
        is_float = true;
        ++pos_;
      } else {
        break;
      }
    }
    if (pos_ == start) return fail("expected a value");
    std::string text(text_.substr(start, pos_ - start));
    char* end = nullptr;
    errno = 0;
    if (!is_float) {
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (*end == '\0') {
        // Clamping would make different numbers equal (two keys, a wrapped balance).
        if (errno == ERANGE) return fail("integer out of range '" + text + "'");
        return json(static_cast<std::int64_t>(v));
      }
    }
    double d = std::strtod(text.c_str(), &end);
    if (*end != '\0') return fail("malformed number '" + text + "'");
    if (errno == ERANGE && std::isinf(d)) return fail("number out of range '" + text + "'");
    return json(d);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void dump_string(const std::string& s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void dump_to(const json& v, std::string& out) {
  if (v.is_null()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_int()) {
    out += std::to_string(v.as_int());
  } else if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
    out += buf;
  } else if (v.is_string()) {
    dump_string(v.as_string(), out);
  } else if (v.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : v.as_array()) {
      if (!first) out.push_back(',');
      first = false;
      dump_to(e, out);
    }
    out.push_back(']');
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, e] : v.as_object()) {
      if (!first) out.push_back(',');
      first = false;
      dump_string(k, out);
      out.push_back(':');
      dump_to(e, out);
    }
    out.push_back('}');
  }
}

}  // namespace

std::int64_t json::as_int() const {
  if (value_.index() == 3) return static_cast<std::int64_t>(std::get<3>(value_));
  return std::get<2>(value_);
}

double json::as_double() const {
  if (value_.index() == 2) return static_cast<double>(std::get<2>(value_));
  return std::get<3>(value_);
}

const json& json::operator[](const std::string& key) const {
  static const json null_value;
  if (!is_object()) return null_value;
  auto it = as_object().find(key);
  return it == as_object().end() ? null_value : it->second;
}

std::string json::dump() const {
  std::string out;
  dump_to(*this, out);
  return out;
}

result<json> json::parse(std::string_view text) { return parser(text).document(); }

bool operator==(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  if (a.value_.index() != b.value_.index()) return false;
  if (a.is_array()) return a.as_array() == b.as_array();
  if (a.is_object()) return a.as_object() == b.as_object();
  return a.value_ == b.value_;
}

bool operator<(const json& a, const json& b) { return a.dump() < b.dump(); }

}  // namespace meridian::check
