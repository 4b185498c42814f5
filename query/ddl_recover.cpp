// After a crash, what DDL left half-done is undone or finished before the first statement:
//  - an index still write-only was being built when the process died (or its build could not
//    be undone then): the build is undone — the descriptor's entry and the entries written so
//    far — and the user creates the index again. Left alone it would never be read, and a
//    UNIQUE one would be enforced for the rows the backfill had reached only;
//  - a dropped table whose rows were still being swept: the sweep is finished.
#include "query/ddl.hpp"
#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

struct recover_state {
  ddl_env env;
  std::shared_ptr<txn::ledger> ledger = std::make_shared<txn::ledger>();
  std::vector<std::pair<std::int64_t, std::uint32_t>> removed;  // table id, index id
  std::vector<std::string> notes;
  std::function<void(result<std::vector<std::string>>)> done;
};

// Takes every write-only index out of the descriptors from `start` on, page by page, in `txn`.
void undo_builds_from(std::shared_ptr<recover_state> s, txn::transaction& txn, std::string start,
                      std::function<void(status)> finish) {
  txn.scan(start, keys::table_descriptors_end(), 256, false,
           via_trampoline<txn::scan_page>(s->env.tramp, [s, &txn, finish](result<txn::scan_page> p) {
             if (!p) return finish(p.err());
             for (const auto& kv : p->rows) {
               auto d = decode_descriptor(kv.value);
               if (!d) return finish(d.err());
               bool changed = false;
               for (auto it = d->indexes.begin(); it != d->indexes.end();) {
                 if (it->state != index_state::write_only) {
                   ++it;
                   continue;
                 }
                 s->removed.emplace_back(d->id, it->id);
                 s->notes.push_back("the build of index " + it->name + " on table " + d->name +
                                    " was interrupted and has been undone; create it again");
                 MERIDIAN_TRY_CALLBACK(txn.del(keys::index_name_key(it->name)), finish);
                 it = d->indexes.erase(it);
                 changed = true;
               }
               if (!changed) continue;
               ++d->version;
               MERIDIAN_TRY_CALLBACK(txn.put(kv.key, encode_descriptor(*d)), finish);
             }
             if (!p->more) return finish(ok_status());
             undo_builds_from(s, txn, p->resume_key, finish);
           }));
}

// Deletes the entries of the undone builds, one index after another, then finishes the sweeps
// of dropped tables.
void delete_entries(std::shared_ptr<recover_state> s, std::size_t next) {
  if (next == s->removed.size()) {
    return sweep_dropped_tables(s->env, s->ledger, [s](status swept) {
      if (!swept) return s->done(swept.err());
      s->done(std::move(s->notes));
    });
  }
  auto [table_id, index_id] = s->removed[next];
  std::string start = keys::index_prefix(table_id, index_id);
  delete_range(s->env, start, storage::codec::prefix_end(start), s->ledger, [s, next](status del) {
    if (!del) return s->done(del.err());
    delete_entries(s, next + 1);
  });
}

}  // namespace

void finish_interrupted_ddl(const ddl_env& env,
                            std::function<void(result<std::vector<std::string>>)> done) {
  auto s = std::make_shared<recover_state>();
  s->env = env;
  s->done = std::move(done);
  run_in_transaction(
      env,
      [s](txn::transaction& txn, std::function<void(status)> finish) {
        s->removed.clear();
        s->notes.clear();
        undo_builds_from(s, txn, keys::table_descriptors_start(), std::move(finish));
      },
      s->ledger, [s](status st) {
        if (!st) return s->done(st.err());
        delete_entries(s, 0);
      });
}

}  // namespace meridian::query
