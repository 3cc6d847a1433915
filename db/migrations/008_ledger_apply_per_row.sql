-- The PostgreSQL migration of this number makes its ledger guard apply each
-- entry as it checks it, so that a statement may insert several entries of one
-- customer (db/migrations/postgres/008_ledger_apply_per_row.sql). SQLite's
-- AFTER INSERT triggers already run row by row: nothing changes here, and the
-- version is recorded so both engines carry the same list of migrations.
SELECT 1;
