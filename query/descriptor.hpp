// Table descriptors: what the catalog stores per table (columns with ids and defaults, primary
// key, secondary indexes and their build state, placement options, schema version). The
// descriptor is read inside each statement's transaction; DDL writes a new version of it.
// Plain data: built by one thread, then shared read-only (shared_ptr<const>).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "query/sql_type.hpp"

namespace meridian::query {

enum class default_kind : std::uint8_t {
  none,    // NULL
  value,   // a constant, evaluated and converted to the column type at CREATE/ALTER time
  now,     // now(): the transaction's start time
  gen_id,  // gen_id(): a generated unique id (see id_generator.hpp)
};

struct column_descriptor {
  std::uint32_t id = 0;  // never reused in a table; rows tag values with it
  std::string name;
  sql_type type;
  bool nullable = true;
  default_kind default_rule = default_kind::none;
  datum default_value;  // default_kind::value only
  // What rows written before the column existed read (ALTER TABLE ADD COLUMN stores the
  // default here instead of rewriting rows). NULL for columns created with the table.
  datum absent_value;
  // The generated row id of a table declared without a primary key: not selectable by name,
  // not part of SELECT *.
  bool hidden = false;
};

enum class index_state : std::uint8_t {
  write_only,  // DML maintains it; the planner does not read it (CREATE INDEX in progress)
  public_,     // complete: readable
};

struct index_descriptor {
  std::uint32_t id = 0;  // never reused in a table: entries of a dropped index stay unreachable
  std::string name;      // unique in the database
  std::vector<std::uint32_t> column_ids;
  bool unique = false;
  index_state state = index_state::public_;
};

// WITH (leader_dc = '...', home_dc_column = col): handed to the placement hook.
struct table_placement {
  std::string leader_dc;       // empty: no preference
  std::string home_dc_column;  // empty: none; else the first primary-key column
};

struct table_descriptor {
  std::int64_t id = 0;       // never reused: rows of a dropped table stay unreachable
  std::string name;
  std::uint64_t version = 1; // bumped by every schema change
  // Invariant: in increasing id order (columns are only ever appended).
  std::vector<column_descriptor> columns;
  std::vector<std::uint32_t> primary_key;  // column ids in key order; never empty
  std::vector<index_descriptor> indexes;
  std::uint32_t next_column_id = 1;
  std::uint32_t next_index_id = 1;
  table_placement placement;

  // Position in `columns` of the column with this name (hidden ones included), or -1.
  int column_position(std::string_view column_name) const;
  // Position in `columns` of the column with this id. REQUIRES: the id exists.
  int position_of_id(std::uint32_t column_id) const;
  // Positions of the primary-key columns, in key order.
  std::vector<int> primary_key_positions() const;
  // Positions of an index's columns.
  std::vector<int> index_positions(const index_descriptor& index) const;
  const index_descriptor* find_index(std::string_view index_name) const;
  bool has_hidden_row_id() const;
};

using descriptor_ptr = std::shared_ptr<const table_descriptor>;

}  // namespace meridian::query
