// The shell's loop; see repl.hpp.
#include "shell/repl.hpp"

#include <editline/readline.h>
#include <signal.h>

#include <atomic>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "shell/statement_splitter.hpp"

namespace meridian::shell {
namespace {

const char* help_text =
    "SQL statements end with ';' and may span lines.\n"
    "  \\q                 quit\n"
    "  \\?                 this help\n"
    "  \\d [table]         list tables, or describe one\n"
    "  \\dc [name]         show the session's datacenter, or move the session there\n"
    "  \\cluster           datacenters, round trips, nodes and shard leaders\n"
    "  \\fault isolate DC  cut a datacenter off (embedded cluster only)\n"
    "  \\fault heal        restore every link\n"
    "  \\fault crash NODE  power loss of one node; \\fault restart NODE brings it back\n"
    "  \\timing [on|off]   show statement time and round trips (no argument: toggle)\n";

// Ctrl-C in an interactive shell cancels the running statement (it fails with E1005 cancelled)
// and keeps the session, as in psql; at the prompt it does nothing. The handler only stores to
// an atomic (session::cancel), which is safe in a signal handler.
std::atomic<api::session*> interrupted_session{nullptr};
std::atomic<unsigned> sigints{0};

extern "C" void cancel_on_sigint(int) {
  sigints.fetch_add(1);
  if (api::session* s = interrupted_session.load()) s->cancel();
}

class sigint_cancels {
 public:
  explicit sigint_cancels(api::session& s) {
    interrupted_session.store(&s);
    struct sigaction action {};
    action.sa_handler = cancel_on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // a read at the prompt goes on
    sigaction(SIGINT, &action, &previous_);
  }
  ~sigint_cancels() {
    sigaction(SIGINT, &previous_, nullptr);
    interrupted_session.store(nullptr);
  }
  sigint_cancels(const sigint_cancels&) = delete;
  sigint_cancels& operator=(const sigint_cancels&) = delete;

 private:
  struct sigaction previous_ {};
};

// Lines of history kept, in memory and in the file: a shell left running takes no more memory
// for it, and a long-used history file loads no slower, as time goes by.
constexpr int history_lines = 1000;

class line_source {
 public:
  line_source(std::istream& in, bool interactive, std::string history)
      : in_(in), interactive_(interactive), history_(std::move(history)) {
    if (!interactive_ || history_.empty()) return;
    stifle_history(history_lines);
    read_history(history_.c_str());
  }
  ~line_source() {
    if (!interactive_ || history_.empty()) return;
    write_history(history_.c_str());
    history_truncate_file(history_.c_str(), history_lines);
  }
  // Ctrl-C ended the last read: what was typed is to be forgotten.
  bool interrupted() const { return interrupted_; }
  bool next(const std::string& prompt, std::string& line) {
    interrupted_ = false;
    if (!interactive_) return static_cast<bool>(std::getline(in_, line));
    unsigned before = sigints.load();
    char* raw = readline(prompt.c_str());
    if (raw == nullptr && sigints.load() != before) {
      // Ctrl-C at the prompt: the line (and any statement begun) is dropped, the session stays.
      interrupted_ = true;
      line.clear();
      std::fputs("\n", stdout);
      return true;
    }
    if (raw == nullptr) return false;
    line = raw;
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    return true;
  }

 private:
  std::istream& in_;
  bool interactive_;
  bool interrupted_ = false;
  std::string history_;
};

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

class repl {
 public:
  repl(api::session& s, std::ostream& out, std::ostream& err, const repl_options& o)
      : session_(s), out_(out), err_(err), options_(o) {}

  // Returns false to quit.
  bool meta(const std::string& line) {
    auto w = words(line);
    if (w.size() > 1 && w.back() == ";") w.pop_back();  // "\d t ;": a habit from SQL, dropped
    if (w.back().size() > 1 && w.back().back() == ';') w.back().pop_back();
    const std::string& cmd = w[0];
    if (auto most = max_arguments(cmd); most && w.size() - 1 > *most) {
      std::string extra;
      for (std::size_t i = 1 + *most; i < w.size(); ++i) extra += (extra.empty() ? "" : " ") + w[i];
      report(error(errc::invalid_argument,
                   cmd + " takes " + (*most == 0 ? "no arguments" : "at most one argument") +
                       "; remove '" + extra + "'"));
      return true;
    }
    if (cmd == "\\q" || cmd == "\\quit") return false;
    if (cmd == "\\?" || cmd == "\\help" || cmd == "\\h") {
      out_ << help_text;
    } else if (cmd == "\\d") {
      run(w.size() > 1 ? "DESCRIBE " + w[1] : "SHOW TABLES");
    } else if (cmd == "\\dc") {
      dc(w);
    } else if (cmd == "\\cluster") {
      auto info = session_.cluster();
      if (info) out_ << format_cluster(*info); else report(info.err());
    } else if (cmd == "\\fault") {
      fault(w);
    } else if (cmd == "\\timing") {
      timing(w);
    } else {
      report(error(errc::invalid_argument, "unknown command " + cmd + " (\\? lists the commands)"));
    }
    return true;
  }

  void run(const std::string& sql) {
    auto r = session_.execute(sql);
    if (!r) {
      report(r.err());
      return;
    }
    out_ << format_result(*r, options_.format);
  }

  std::string prompt(bool continuation) {
    std::string base = "meridian(" + session_.current_dc() + ")";
    if (continuation) return std::string(base.size(), ' ') + "-> ";
    return base + (session_.in_transaction() ? "*> " : "> ");
  }

  int failures() const { return failures_; }

  // The input ended inside BEGIN: the transaction is rolled back, and a script is told so (its
  // changes are gone) instead of ending silently.
  void end_of_input() {
    if (!session_.in_transaction()) return;
    (void)session_.rollback();
    report(error(errc::txn_rolled_back, "the input ended inside a transaction (BEGIN without "
                                        "COMMIT): its changes were rolled back"));
  }

 private:
  // How many words may follow a command that takes a fixed few (\fault and \timing check
  // their own); none for a command it does not know.
  static std::optional<std::size_t> max_arguments(const std::string& cmd) {
    static const std::map<std::string, std::size_t> most = {
        {"\\q", 0}, {"\\quit", 0}, {"\\?", 0}, {"\\help", 0}, {"\\h", 0},
        {"\\d", 1}, {"\\dc", 1}, {"\\cluster", 0}};
    auto it = most.find(cmd);
    if (it == most.end()) return std::nullopt;
    return it->second;
  }
  // \timing on|off, or alone to toggle (as in psql).
  void timing(const std::vector<std::string>& w) {
    if (w.size() > 2 || (w.size() == 2 && w[1] != "on" && w[1] != "off")) {
      return report(error(errc::invalid_argument, "usage: \\timing [on|off]"));
    }
    bool on = w.size() == 1 ? !options_.format.show_timing : w[1] == "on";
    options_.format.show_timing = options_.format.show_round_trips = on;
    out_ << "timing " << (on ? "on" : "off") << "\n";
  }
  void report(const error& e) {
    ++failures_;
    err_ << "ERROR: " << e.to_string() << "\n";
  }
  void dc(const std::vector<std::string>& w) {
    if (w.size() == 1) {
      auto info = session_.cluster();
      if (!info) return report(info.err());
      out_ << "session datacenter: " << info->session_dc << " (datacenters:";
      for (const auto& d : info->dcs) out_ << " " << d.name;
      out_ << ")\n";
      return;
    }
    auto s = session_.set_dc(w[1]);
    if (!s) return report(s.err());
    out_ << "session moved to " << w[1] << "\n";
  }
  void fault(const std::vector<std::string>& w) {
    api::fault_request f;
    if (w.size() == 3 && w[1] == "isolate") {
      f.what = api::fault_request::kind::isolate_dc;
      f.target = w[2];
    } else if (w.size() == 2 && w[1] == "heal") {
      f.what = api::fault_request::kind::heal;
    } else if (w.size() == 3 && (w[1] == "crash" || w[1] == "restart")) {
      f.what = w[1] == "crash" ? api::fault_request::kind::crash_node
                               : api::fault_request::kind::restart_node;
      f.target = w[2];
    } else {
      return report(error(errc::invalid_argument,
                          "usage: \\fault isolate DC | \\fault heal | \\fault crash NODE | "
                          "\\fault restart NODE"));
    }
    auto s = session_.fault(f);
    if (!s) return report(s.err());
    out_ << "fault applied\n";
  }

  api::session& session_;
  std::ostream& out_;
  std::ostream& err_;
  repl_options options_;
  int failures_ = 0;
};

}  // namespace

std::string format_cluster(const api::cluster_info& info) {
  std::ostringstream out;
  out << "mode: " << info.mode << ", session in " << info.session_dc;
  if (!info.tso_dc.empty()) out << ", timestamp oracle in " << info.tso_dc;
  out << "\n";
  if (!info.dcs.empty()) {
    // A matrix whose columns line up under their datacenter's name.
    std::size_t label = 0, cell = 6;
    for (const auto& d : info.dcs) {
      label = std::max(label, d.name.size() + (d.reachable ? 0 : std::strlen(" (isolated)")));
      cell = std::max(cell, d.name.size());
    }
    auto pad = [](const std::string& text, std::size_t width, bool right) {
      std::string fill(width > text.size() ? width - text.size() : 0, ' ');
      return right ? fill + text : text + fill;
    };
    out << "round trips (ms)\n  " << pad("", label + 1, false);
    for (const auto& d : info.dcs) out << "  " << pad(d.name, cell, true);
    out << "\n";
    for (const auto& d : info.dcs) {
      out << "  " << pad(d.name + (d.reachable ? "" : " (isolated)") + ":", label + 1, false);
      for (double rtt : d.rtt_ms) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", rtt);
        out << "  " << pad(buf, cell, true);
      }
      out << "\n";
    }
  }
  for (const auto& n : info.nodes) {
    out << "node " << n.id << " in " << n.dc << (n.up ? "" : " (down)") << "\n";
  }
  for (const auto& s : info.shards) {
    out << "shard " << s.id << " [" << s.start_key << ", " << s.end_key << ") leader ";
    if (s.leader == 0) {
      out << "none";
    } else {
      out << "node " << s.leader << " in " << s.leader_dc;
    }
    if (!s.preferred_dc.empty()) out << ", preferred " << s.preferred_dc;
    out << "\n";
  }
  return out.str();
}

int run_repl(api::session& session, std::istream& in, std::ostream& out, std::ostream& err,
             const repl_options& options) {
  repl r(session, out, err, options);
  std::optional<sigint_cancels> ctrl_c;
  if (options.interactive) ctrl_c.emplace(session);
  if (options.interactive && !options.banner.empty()) out << options.banner << "\n";
  line_source lines(in, options.interactive, options.history_file);
  statement_splitter splitter;
  std::string line;
  // A script that had a failure exits 1, whether it ends with \q or at the end of its input.
  auto exit_code = [&] { return !options.interactive && r.failures() > 0 ? 1 : 0; };
  while (lines.next(r.prompt(splitter.pending()), line)) {
    if (lines.interrupted()) {
      splitter.clear();
      continue;
    }
    if (auto meta = splitter.meta_line(line)) {
      if (!r.meta(*meta)) {  // \q
        r.end_of_input();
        return exit_code();
      }
      continue;
    }
    for (const auto& statement : splitter.feed(line)) r.run(statement);
    if (auto meta = splitter.take_trailing_meta()) {
      if (!r.meta(*meta)) {  // \q
        r.end_of_input();
        return exit_code();
      }
    }
    out.flush();
  }
  std::string rest = splitter.flush();
  if (!rest.empty()) r.run(rest);
  r.end_of_input();
  if (options.interactive) out << "\n";
  return exit_code();
}

}  // namespace meridian::shell
