-- db/migrations/007_throttle_counters.sql on PostgreSQL (docs/postgres.md).
-- Failed sign-ins and wrong current passwords, counted in the database rather
-- than in one process's memory, so that every console instance sharing this
-- database counts the same attempts (server/auth/throttleStore.ts). One row
-- per limiter and key (an address or an account) for the current window.
CREATE TABLE throttle_counters (
  key       text COLLATE "C" PRIMARY KEY,
  hits      bigint NOT NULL CHECK (hits >= 0),
  reset_at  text COLLATE "C" NOT NULL
);
CREATE INDEX throttle_counters_reset ON throttle_counters (reset_at);

-- Short-lived rows: counted up and down, ended windows swept.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON throttle_counters TO tokendesk_app;
  END IF;
END $$;
