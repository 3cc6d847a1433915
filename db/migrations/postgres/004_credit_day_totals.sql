-- db/migrations/004_credit_day_totals.sql on PostgreSQL (docs/postgres.md).
-- Each staff member's credit tokens per UTC day, kept by triggers. The daily
-- limit (pending + applied) and the anomaly volume rule (all but rejected)
-- then read one or thirty rows instead of summing every credit of the period.

CREATE TABLE credit_day_totals (
  staff_id          text COLLATE "C" NOT NULL,
  day               text COLLATE "C" NOT NULL,
  -- pending_approval + applied: what the agent_daily_limit counts
  open_tokens       bigint NOT NULL DEFAULT 0,
  -- everything but rejected (voided included): an agent's requested volume
  requested_tokens  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (staff_id, day)
);

INSERT INTO credit_day_totals (staff_id, day, open_tokens, requested_tokens)
  SELECT requested_by, substr(created_at, 1, 10),
         SUM(CASE WHEN status IN ('pending_approval', 'applied') THEN amount ELSE 0 END),
         SUM(CASE WHEN status <> 'rejected' THEN amount ELSE 0 END)
    FROM credits GROUP BY 1, 2;

-- ON CONFLICT makes two instances' first credits of a day add up, not collide.
CREATE FUNCTION credits_day_total_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO credit_day_totals AS t (staff_id, day, open_tokens, requested_tokens)
    VALUES (NEW.requested_by, substr(NEW.created_at, 1, 10), NEW.amount, NEW.amount)
    ON CONFLICT (staff_id, day) DO UPDATE SET open_tokens = t.open_tokens + excluded.open_tokens,
      requested_tokens = t.requested_tokens + excluded.requested_tokens;
  RETURN NULL;
END $$;
CREATE TRIGGER credits_day_total_insert AFTER INSERT ON credits
  FOR EACH ROW WHEN (NEW.status IN ('pending_approval', 'applied'))
  EXECUTE FUNCTION credits_day_total_insert();

CREATE FUNCTION credits_day_total_rejected() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE credit_day_totals SET open_tokens = open_tokens - NEW.amount, requested_tokens = requested_tokens - NEW.amount
   WHERE staff_id = NEW.requested_by AND day = substr(NEW.created_at, 1, 10);
  RETURN NULL;
END $$;
CREATE TRIGGER credits_day_total_rejected AFTER UPDATE OF status ON credits
  FOR EACH ROW WHEN (NEW.status = 'rejected' AND OLD.status <> 'rejected')
  EXECUTE FUNCTION credits_day_total_rejected();

CREATE FUNCTION credits_day_total_voided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE credit_day_totals SET open_tokens = open_tokens - NEW.amount
   WHERE staff_id = NEW.requested_by AND day = substr(NEW.created_at, 1, 10);
  RETURN NULL;
END $$;
CREATE TRIGGER credits_day_total_voided AFTER UPDATE OF status ON credits
  FOR EACH ROW WHEN (NEW.status = 'voided' AND OLD.status <> 'voided')
  EXECUTE FUNCTION credits_day_total_voided();

-- The triggers above write it as the application: they run with its rights.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    GRANT SELECT, INSERT, UPDATE ON credit_day_totals TO tokendesk_app;
  END IF;
END $$;
