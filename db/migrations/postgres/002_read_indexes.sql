-- db/migrations/002_read_indexes.sql on PostgreSQL: the same indexes, whose
-- statements PostgreSQL takes as they are. The rest of this file is that one's.

-- Indexes for the list pages of docs/api.md (target: any list page, its total
-- included, within 50 ms at 10 million ledger entries; BENCHMARKS.md). Lists narrowed to a
-- customer, chat or run already have theirs in 001; these serve the lists
-- over a whole table, which page in time order and count up to 10,000 rows.
-- db/repositories/*Queries.ts name the index each filter is meant to use, and
-- tests/server/resources/queryPlans.test.ts checks that SQLite does use it.

-- All runs, all chats, all customers, all assets, newest first.
CREATE INDEX generations_started ON generations (started_at);
CREATE INDEX chats_created ON chats (created_at);
CREATE INDEX customers_created ON customers (created_at);
CREATE INDEX assets_created ON assets (created_at);

-- Filters that pick rare rows out of the big tables: without these, a page of
-- failed runs or of manual credits would read the whole table to fill itself
-- and to count its total. Partial, so the common rows (succeeded runs,
-- charges) cost nothing to keep indexed; a run stays in generations_uncharged
-- only until its charge arrives.
CREATE INDEX generations_unsettled ON generations (status, started_at) WHERE status <> 'succeeded';
CREATE INDEX generations_uncharged ON generations (started_at) WHERE tokens_charged = 0;
CREATE INDEX ledger_uncommon_kind ON ledger_entries (kind, created_at) WHERE kind <> 'charge';

-- The missing-refund queue and the auto-refunded runs in time order, holding
-- every column of the refund state, so counting them never touches the table.
CREATE INDEX generations_unrefunded_started
  ON generations (started_at, finished_at, tokens_credited, status, tokens_charged, auto_refund_id)
  WHERE status = 'failed' AND tokens_charged > 0 AND auto_refund_id IS NULL;
CREATE INDEX generations_auto_refunded
  ON generations (started_at, finished_at, tokens_credited, status, tokens_charged, auto_refund_id)
  WHERE auto_refund_id IS NOT NULL;

-- Tools are an open set, and a new tool or a typo matches few rows or none:
-- without an index, a tool filter over all runs or all entries reads the
-- whole table to find that out.
CREATE INDEX generations_tool ON generations (tool, started_at);
CREATE INDEX ledger_tool_time ON ledger_entries (tool, created_at) WHERE tool IS NOT NULL;
