-- The PostgreSQL migration of this number shortens two locks that concurrent
-- writers queue on: a requester's day total is written as the transaction
-- commits (deferred triggers), and the audit chain's lock and last event are
-- taken in one round trip (db/migrations/postgres/009_shorter_write_locks.sql).
-- SQLite's one writer never has two transactions in flight: nothing changes
-- here, and the version is recorded so both engines carry the same list of
-- migrations.
SELECT 1;
