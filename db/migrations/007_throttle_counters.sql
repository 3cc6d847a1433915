-- Failed sign-ins and wrong current passwords, counted in the database rather
-- than in one process's memory, so that every console instance sharing this
-- database counts the same attempts (server/auth/throttleStore.ts). One row
-- per limiter and key (an address or an account) for the current window.
CREATE TABLE throttle_counters (
  key       TEXT PRIMARY KEY,
  hits      INTEGER NOT NULL CHECK (hits >= 0),
  reset_at  TEXT NOT NULL
);
CREATE INDEX throttle_counters_reset ON throttle_counters (reset_at);
