-- Credit delivery to the studio (docs/integration.md). Every manual_credit and
-- credit_void ledger entry has one credit event, written in the same
-- transaction (a transactional outbox): the event row comes first, and the
-- database refuses a credit entry without it, and an event without its entry.

CREATE TABLE credit_events (
  -- The feed's cursor: increasing in the order events were written.
  seq              INTEGER PRIMARY KEY,
  -- The ledger entry's id: the webhook-id of every attempt and the studio's idempotency key.
  id               TEXT NOT NULL UNIQUE REFERENCES ledger_entries (id) DEFERRABLE INITIALLY DEFERRED,
  credit_id        TEXT NOT NULL REFERENCES credits (id),
  customer_id      TEXT NOT NULL REFERENCES customers (id),
  type             TEXT NOT NULL CHECK (type IN ('credit.applied', 'credit.voided')),
  amount           INTEGER NOT NULL CHECK (CASE type WHEN 'credit.applied' THEN amount > 0 ELSE amount < 0 END),
  -- The exact bytes every attempt sends; fixed when the event is written.
  body             TEXT NOT NULL CHECK (json_valid(body) AND length(CAST(body AS BLOB)) < 20000),
  created_at       TEXT NOT NULL,
  state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivering', 'delivered', 'failing', 'given_up')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Failed attempts since the retry schedule last (re)started: the index of the next wait.
  failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  -- When the dispatcher looks at it next: the next attempt (pending, failing)
  -- or the end of the lease of the attempt in flight (delivering).
  due_at           TEXT,
  -- Held by the attempt in flight; its outcome is recorded only under the same token.
  lease_token      TEXT,
  last_attempt_at  TEXT,
  last_status      INTEGER,
  last_error       TEXT,
  failing_since    TEXT,
  delivered_at     TEXT,
  delivered_via    TEXT CHECK (delivered_via IN ('webhook', 'feed')),
  studio_ref       TEXT,
  confirmed_at     TEXT,
  UNIQUE (credit_id, type),
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL AND delivered_via IS NOT NULL)),
  CHECK ((state = 'delivering') = (lease_token IS NOT NULL)),
  CHECK ((state IN ('delivered', 'given_up')) = (due_at IS NULL))
);
CREATE INDEX credit_events_due ON credit_events (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX credit_events_state ON credit_events (state, created_at);
CREATE INDEX credit_events_delivered ON credit_events (delivered_at) WHERE delivered_at IS NOT NULL;

-- The outbox half of the ledger: no credit entry without its event, whatever wrote it.
CREATE TRIGGER ledger_credit_event_required BEFORE INSERT ON ledger_entries
  WHEN NEW.kind IN ('manual_credit', 'credit_void') AND NOT EXISTS (
    SELECT 1 FROM credit_events e
     WHERE e.id = NEW.id AND e.credit_id = NEW.credit_id AND e.customer_id = NEW.customer_id AND e.amount = NEW.amount
       AND e.type = CASE NEW.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END)
BEGIN
  SELECT RAISE(ABORT, 'a credit ledger entry needs its credit event, written first in the same transaction');
END;

CREATE TRIGGER credit_events_kept BEFORE DELETE ON credit_events BEGIN
  SELECT RAISE(ABORT, 'credit events are never deleted');
END;
-- What the studio is sent never changes; only the delivery columns move.
CREATE TRIGGER credit_events_frozen BEFORE UPDATE ON credit_events
  WHEN NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.credit_id IS NOT OLD.credit_id
    OR NEW.customer_id IS NOT OLD.customer_id OR NEW.type IS NOT OLD.type OR NEW.amount IS NOT OLD.amount
    OR NEW.body IS NOT OLD.body OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'a credit event body is frozen');
END;
-- Delivered is final: a late or repeated outcome never takes it back.
CREATE TRIGGER credit_events_delivered_final BEFORE UPDATE ON credit_events
  WHEN OLD.state = 'delivered' AND (NEW.state <> 'delivered' OR NEW.delivered_at IS NOT OLD.delivered_at
    OR NEW.delivered_via IS NOT OLD.delivered_via)
BEGIN
  SELECT RAISE(ABORT, 'a delivered credit event stays delivered');
END;
-- Per credit, the void is pushed only once the studio has the credit it reverses.
CREATE TRIGGER credit_events_void_after_applied BEFORE UPDATE OF state ON credit_events
  WHEN NEW.type = 'credit.voided' AND NEW.state IS NOT OLD.state
   AND (NEW.state = 'delivering' OR (NEW.state = 'delivered' AND NEW.delivered_via = 'webhook'))
   AND NOT EXISTS (SELECT 1 FROM credit_events a
                    WHERE a.credit_id = NEW.credit_id AND a.type = 'credit.applied' AND a.state = 'delivered')
BEGIN
  SELECT RAISE(ABORT, 'a void is delivered only after the credit it reverses');
END;

-- Credits granted before delivery existed never reached the studio: they are
-- queued now, with the body the console writes for new ones.
INSERT INTO credit_events (id, credit_id, customer_id, type, amount, body, created_at, state, due_at)
SELECT l.id, l.credit_id, l.customer_id,
       CASE l.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END,
       l.amount,
       json_object(
         'type', CASE l.kind WHEN 'manual_credit' THEN 'credit.applied' ELSE 'credit.voided' END,
         'timestamp', l.recorded_at,
         'data', json_patch(
           json_object(
             'transaction_id', l.id,
             'credit_id', c.id,
             'customer_id', l.customer_id,
             'amount', l.amount,
             'reason', c.reason,
             'ticket_ref', c.ticket_ref,
             'runs', json((SELECT json_group_array(json_object('generation_id', i.generation_id, 'tokens', i.tokens))
                             FROM (SELECT generation_id, tokens FROM credit_items WHERE credit_id = c.id ORDER BY generation_id) i)),
             'requested_by', c.requested_by,
             'approved_by', c.decided_by,
             'created_at', l.created_at),
           CASE l.kind WHEN 'credit_void' THEN json_object(
             'reverses_transaction_id', l.reverses_id,
             'void_cause', CASE c.voided_by WHEN 'system' THEN 'late_auto_refund' ELSE 'staff' END)
           ELSE '{}' END)),
       l.recorded_at, 'pending', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  FROM ledger_entries l JOIN credits c ON c.id = l.credit_id
 WHERE l.kind IN ('manual_credit', 'credit_void')
 ORDER BY l.seq;
