-- Each staff member's credit tokens per UTC day, kept by triggers. The daily
-- limit (pending + applied) and the anomaly volume rule (all but rejected)
-- then read one or thirty rows instead of summing every credit of the period.

CREATE TABLE credit_day_totals (
  staff_id          TEXT NOT NULL,
  day               TEXT NOT NULL,
  -- pending_approval + applied: what the agent_daily_limit counts
  open_tokens       INTEGER NOT NULL DEFAULT 0,
  -- everything but rejected (voided included): an agent's requested volume
  requested_tokens  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (staff_id, day)
) WITHOUT ROWID;

INSERT INTO credit_day_totals (staff_id, day, open_tokens, requested_tokens)
  SELECT requested_by, substr(created_at, 1, 10),
         SUM(CASE WHEN status IN ('pending_approval', 'applied') THEN amount ELSE 0 END),
         SUM(CASE WHEN status <> 'rejected' THEN amount ELSE 0 END)
    FROM credits GROUP BY 1, 2;

CREATE TRIGGER credits_day_total_insert AFTER INSERT ON credits
  WHEN NEW.status IN ('pending_approval', 'applied')
BEGIN
  INSERT INTO credit_day_totals (staff_id, day, open_tokens, requested_tokens)
    VALUES (NEW.requested_by, substr(NEW.created_at, 1, 10), NEW.amount, NEW.amount)
    ON CONFLICT (staff_id, day) DO UPDATE SET open_tokens = open_tokens + excluded.open_tokens,
      requested_tokens = requested_tokens + excluded.requested_tokens;
END;

CREATE TRIGGER credits_day_total_rejected AFTER UPDATE OF status ON credits
  WHEN NEW.status = 'rejected' AND OLD.status <> 'rejected'
BEGIN
  UPDATE credit_day_totals SET open_tokens = open_tokens - NEW.amount, requested_tokens = requested_tokens - NEW.amount
   WHERE staff_id = NEW.requested_by AND day = substr(NEW.created_at, 1, 10);
END;

CREATE TRIGGER credits_day_total_voided AFTER UPDATE OF status ON credits
  WHEN NEW.status = 'voided' AND OLD.status <> 'voided'
BEGIN
  UPDATE credit_day_totals SET open_tokens = open_tokens - NEW.amount
   WHERE staff_id = NEW.requested_by AND day = substr(NEW.created_at, 1, 10);
END;
