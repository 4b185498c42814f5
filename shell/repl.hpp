// The interactive SQL shell's loop: reads statements (libedit line editing and history on a
// terminal; plain lines from a pipe or file), runs them through a session, prints results, and
// handles the backslash commands that show and bend the geography (\dc, \cluster, \fault).
// Runs on the caller's thread; the session blocks it while a statement runs.
#pragma once

#include <iosfwd>
#include <string>

#include "api/session.hpp"
#include "shell/table_format.hpp"

namespace meridian::shell {

struct repl_options {
  bool interactive = true;      // prompts, banner, line editing
  std::string banner;           // printed once at start when interactive
  std::string history_file;     // libedit history (interactive only); empty = none
  format_options format;
};

// Runs until \q or end of input. Returns 0, or 1 when input was not interactive and some
// statement failed (so scripts notice).
int run_repl(api::session& session, std::istream& in, std::ostream& out, std::ostream& err,
             const repl_options& options);

// Renders the cluster's geography: datacenters with their round trips, nodes, and which
// datacenter leads each shard. Used by \cluster and by the banner.
std::string format_cluster(const api::cluster_info& info);

}  // namespace meridian::shell
