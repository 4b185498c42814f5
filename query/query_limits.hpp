// The hard limits of the SQL engine, in one place with the reason for each value (DESIGN.md
// "Errors and limits"). Statement text and nesting are limited by the parser
// (sql_lite_parser/parser_limits.hpp); transaction size by common/limits.hpp. Constants only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace meridian::query::query_limits {

// Rows one statement may return (errc::sql_result_too_large). A result travels whole, in one
// reply message and one shell table; past this, LIMIT or an aggregate is what the user wants.
inline constexpr std::size_t max_result_rows = 100'000;

// Bytes of one computed value (a || chain): a stored value is at most limits::max_value_bytes
// (1 MiB), and a chain of up to 200 of them would otherwise grow one value to hundreds of MB
// (errc::sql_result_too_large).
inline constexpr std::size_t max_computed_value_bytes = 16 << 20;

// Bytes of text and blob values one statement may return (errc::sql_result_too_large): the
// result travels whole, so this bounds a statement's memory as max_result_rows bounds its rows.
inline constexpr std::size_t max_result_bytes = 256 << 20;

// Rows a materializing operator (sort, aggregate groups, hash-join build side, nested-loop
// inner side, DISTINCT set, the target rows of UPDATE and DELETE) may hold in memory
// (errc::sql_result_too_large). A row is at most limits::max_value_bytes but typically a few
// hundred bytes, so a million rows bounds a statement's memory to a few hundred MB at worst.
inline constexpr std::size_t max_materialized_rows = 1'000'000;

// Rows a hash join or nested loop emits per batch: the pairs of one batch of outer rows are
// handed on in pieces, so a join's output never sits in memory whole.
inline constexpr std::size_t join_batch_rows = 4096;

// Rows asked for per scan page. Large enough that a scan pays one round trip per page, not per
// row; small enough that a LIMIT 10 over a huge table does not read thousands of rows.
inline constexpr std::size_t scan_page_rows = 256;

// Keys asked for in one batch_get (index lookups, join lookups, point gets from IN lists).
inline constexpr std::size_t lookup_batch_keys = 256;

// Primary-key points a point get may enumerate from IN lists (their cartesian product); past
// it the planner scans a range instead of building a huge key list.
inline constexpr std::size_t max_point_keys = 1024;

// Rows one backfill transaction of CREATE INDEX reads and indexes. Small transactions keep
// conflicts with concurrent DML cheap to retry and keep the write buffer far below
// limits::max_txn_keys.
inline constexpr std::size_t backfill_batch_rows = 256;

// Keys one cleanup transaction deletes after DROP TABLE / DROP INDEX / a failed CREATE INDEX.
inline constexpr std::size_t cleanup_batch_keys = 1024;

// Attempts of an autocommit statement whose transaction failed with a retryable error
// (write_conflict, schema changed, ...): enough to ride out a burst of contention, few enough
// that a hot spot shows up as an error instead of a hang.
inline constexpr int max_autocommit_attempts = 5;

// Attempts of one DDL or backfill transaction step.
inline constexpr int max_ddl_attempts = 10;

// Back-off between attempts: base * 2^attempt, capped.
inline constexpr std::uint32_t backoff_base_ms = 1;
inline constexpr std::uint32_t backoff_max_ms = 64;

// Columns of a table (the row codec tags values by a 32-bit column id; the cap keeps rows and
// descriptors small).
inline constexpr std::size_t max_columns = 1000;

// Tables one query reads (FROM and its JOINs): the planner tracks the tables an expression reads
// in a 64-bit set.
inline constexpr std::size_t max_join_tables = 64;

// Indexes of a table: every write pays one entry per index.
inline constexpr std::size_t max_indexes = 64;

}  // namespace meridian::query::query_limits
