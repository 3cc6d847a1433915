-- The whole Token Desk domain (docs/domain.md). Amounts are integer tokens, times
-- are ISO 8601 UTC text (sortable as text). The database enforces what it can
-- on its own, so a service bug cannot break a money invariant.

CREATE TABLE customers (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  email        TEXT NOT NULL,
  plan         TEXT NOT NULL,
  time_zone    TEXT,
  created_at   TEXT NOT NULL,
  -- occurred_at of the upsert that set these fields: a replayed or older
  -- upsert never overwrites a newer one, whatever the arrival order.
  source_at    TEXT NOT NULL,
  -- Cache of SUM(ledger_entries.amount), maintained only by the ledger
  -- triggers below. Never write it directly.
  balance      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customers_email ON customers (email COLLATE NOCASE);
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE chats (
  id           TEXT PRIMARY KEY,
  customer_id  TEXT NOT NULL REFERENCES customers (id),
  title        TEXT,
  created_at   TEXT NOT NULL,
  -- occurred_at|event id of the event that set the title (latest wins).
  source_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX chats_customer ON chats (customer_id, created_at);

CREATE TABLE generations (
  id              TEXT PRIMARY KEY,
  chat_id         TEXT NOT NULL REFERENCES chats (id),
  customer_id     TEXT NOT NULL REFERENCES customers (id),
  tool            TEXT NOT NULL,
  model           TEXT,
  prompt          TEXT,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  error_code      TEXT,
  error_message   TEXT,
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  -- occurred_at|event id of the events that set the descriptive fields and
  -- the status: a later event wins whatever the arrival order.
  source_at       TEXT NOT NULL DEFAULT '',
  status_at       TEXT NOT NULL,
  -- Token counters, maintained only by triggers on ledger_entries, credits
  -- and credit_items. Never write them directly.
  tokens_charged        INTEGER NOT NULL DEFAULT 0,
  tokens_auto_refunded  INTEGER NOT NULL DEFAULT 0,
  tokens_credited       INTEGER NOT NULL DEFAULT 0,
  tokens_reserved       INTEGER NOT NULL DEFAULT 0,
  charge_id             TEXT,
  auto_refund_id        TEXT,
  asset_count           INTEGER NOT NULL DEFAULT 0,
  -- Invariant 2: what a run got back (and what pending credits hold for it)
  -- never exceeds what it was charged.
  CHECK (tokens_charged >= 0 AND tokens_auto_refunded >= 0 AND tokens_credited >= 0 AND tokens_reserved >= 0),
  CHECK (tokens_auto_refunded + tokens_credited + tokens_reserved <= tokens_charged)
);
CREATE INDEX generations_chat ON generations (chat_id, started_at);
CREATE INDEX generations_customer ON generations (customer_id, started_at);
-- Failed, charged runs without an auto-refund: the missing-refund queue.
CREATE INDEX generations_unrefunded ON generations (finished_at)
  WHERE status = 'failed' AND tokens_charged > 0 AND auto_refund_id IS NULL;

CREATE TABLE assets (
  id             TEXT PRIMARY KEY,
  generation_id  TEXT NOT NULL REFERENCES generations (id),
  customer_id    TEXT NOT NULL REFERENCES customers (id),
  kind           TEXT NOT NULL CHECK (kind IN ('image', 'video')),
  mime           TEXT NOT NULL,
  url            TEXT NOT NULL,
  thumbnail_url  TEXT,
  width          INTEGER,
  height         INTEGER,
  duration_ms    INTEGER,
  bytes          INTEGER,
  created_at     TEXT NOT NULL
);
CREATE INDEX assets_generation ON assets (generation_id);
CREATE INDEX assets_customer ON assets (customer_id, created_at);

CREATE TRIGGER assets_count AFTER INSERT ON assets BEGIN
  UPDATE generations SET asset_count = asset_count + 1 WHERE id = NEW.generation_id;
END;

CREATE TABLE staff (
  id                    TEXT PRIMARY KEY,
  email                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name                  TEXT NOT NULL,
  role                  TEXT NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
  disabled              INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  password_hash         TEXT,
  must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  external_subject      TEXT,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL
);

CREATE TABLE sessions (
  -- SHA-256 of the cookie's random id: a copy of the database opens no session.
  id_hash       TEXT PRIMARY KEY,
  staff_id      TEXT NOT NULL REFERENCES staff (id),
  csrf_token    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  client_ip     TEXT,
  user_agent    TEXT
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE credit_policy (
  id                          INTEGER PRIMARY KEY CHECK (id = 1),
  approval_threshold          INTEGER NOT NULL CHECK (approval_threshold >= 0),
  agent_daily_limit           INTEGER NOT NULL CHECK (agent_daily_limit >= 0),
  lead_approval_threshold     INTEGER NOT NULL CHECK (lead_approval_threshold >= 0),
  goodwill_requires_approval  INTEGER NOT NULL CHECK (goodwill_requires_approval IN (0, 1)),
  refund_grace_minutes        INTEGER NOT NULL CHECK (refund_grace_minutes >= 0),
  updated_at                  TEXT NOT NULL,
  updated_by                  TEXT
);
INSERT INTO credit_policy VALUES (1, 500, 2000, 5000, 1, 15, '1970-01-01T00:00:00.000Z', NULL);

CREATE TABLE credits (
  id                   TEXT PRIMARY KEY,
  customer_id          TEXT NOT NULL REFERENCES customers (id),
  amount               INTEGER NOT NULL CHECK (amount > 0),
  reason               TEXT NOT NULL CHECK (reason IN ('off_prompt', 'visual_artifacts', 'wrong_format_or_length',
                         'safety_false_positive', 'duplicate_run', 'missed_auto_refund', 'goodwill', 'other')),
  ticket_ref           TEXT NOT NULL,
  expected             TEXT NOT NULL,
  received             TEXT NOT NULL,
  note                 TEXT,
  customer_asset_urls  TEXT NOT NULL DEFAULT '[]',
  evidence             TEXT NOT NULL DEFAULT '{}',
  requested_by         TEXT NOT NULL REFERENCES staff (id),
  status               TEXT NOT NULL CHECK (status IN ('pending_approval', 'applied', 'rejected', 'voided')),
  decided_by           TEXT REFERENCES staff (id),
  decided_at           TEXT,
  decision_reason      TEXT,
  voided_by            TEXT,
  voided_at            TEXT,
  void_reason          TEXT,
  transaction_id       TEXT,
  void_transaction_id  TEXT,
  idempotency_key      TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  UNIQUE (requested_by, idempotency_key)
);
CREATE INDEX credits_customer ON credits (customer_id, created_at);
CREATE INDEX credits_status ON credits (status, created_at);
CREATE INDEX credits_requester ON credits (requested_by, created_at);
CREATE INDEX credits_created ON credits (created_at);

CREATE TABLE credit_items (
  credit_id      TEXT NOT NULL REFERENCES credits (id),
  generation_id  TEXT NOT NULL REFERENCES generations (id),
  tokens         INTEGER NOT NULL CHECK (tokens > 0),
  PRIMARY KEY (credit_id, generation_id)
);
CREATE INDEX credit_items_generation ON credit_items (generation_id);

-- A pending credit reserves its runs' tokens (invariant 4): the CHECK on
-- generations then refuses any second claim on them.
CREATE TRIGGER credit_items_reserve AFTER INSERT ON credit_items
  WHEN (SELECT status FROM credits WHERE id = NEW.credit_id) = 'pending_approval'
BEGIN
  UPDATE generations SET tokens_reserved = tokens_reserved + NEW.tokens WHERE id = NEW.generation_id;
END;
CREATE TRIGGER credit_items_frozen BEFORE UPDATE ON credit_items BEGIN
  SELECT RAISE(ABORT, 'credit_items are immutable');
END;
CREATE TRIGGER credit_items_kept BEFORE DELETE ON credit_items BEGIN
  SELECT RAISE(ABORT, 'credit_items are immutable');
END;

CREATE TRIGGER credits_release_reservation AFTER UPDATE OF status ON credits
  WHEN OLD.status = 'pending_approval' AND NEW.status <> 'pending_approval'
BEGIN
  UPDATE generations SET tokens_reserved = tokens_reserved
      - (SELECT tokens FROM credit_items WHERE credit_id = NEW.id AND generation_id = generations.id)
    WHERE id IN (SELECT generation_id FROM credit_items WHERE credit_id = NEW.id);
END;
-- The only ways a grant's status may move.
CREATE TRIGGER credits_status_flow BEFORE UPDATE OF status ON credits
  WHEN NOT (OLD.status = NEW.status
    OR (OLD.status = 'pending_approval' AND NEW.status IN ('applied', 'rejected'))
    OR (OLD.status = 'applied' AND NEW.status = 'voided'))
BEGIN
  SELECT RAISE(ABORT, 'credit status change not allowed');
END;
CREATE TRIGGER credits_kept BEFORE DELETE ON credits BEGIN
  SELECT RAISE(ABORT, 'credits are never deleted');
END;

CREATE TABLE ledger_entries (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  customer_id    TEXT NOT NULL REFERENCES customers (id),
  kind           TEXT NOT NULL CHECK (kind IN ('purchase', 'plan_grant', 'charge', 'auto_refund', 'manual_credit', 'credit_void')),
  amount         INTEGER NOT NULL,
  balance_after  INTEGER NOT NULL,
  created_at     TEXT NOT NULL,
  recorded_at    TEXT NOT NULL,
  generation_id  TEXT REFERENCES generations (id),
  chat_id        TEXT REFERENCES chats (id),
  tool           TEXT,
  reverses_id    TEXT REFERENCES ledger_entries (id),
  credit_id      TEXT REFERENCES credits (id),
  -- Signs by kind: the studio's grants and refunds add, charges and voids take.
  CHECK (CASE WHEN kind IN ('purchase', 'plan_grant', 'auto_refund', 'manual_credit') THEN amount > 0 ELSE amount < 0 END),
  CHECK (kind <> 'charge' OR generation_id IS NOT NULL),
  CHECK ((kind IN ('auto_refund', 'credit_void')) = (reverses_id IS NOT NULL)),
  CHECK ((kind IN ('manual_credit', 'credit_void')) = (credit_id IS NOT NULL))
);
CREATE INDEX ledger_customer_time ON ledger_entries (customer_id, created_at);
CREATE INDEX ledger_chat_time ON ledger_entries (chat_id, created_at) WHERE chat_id IS NOT NULL;
CREATE INDEX ledger_generation ON ledger_entries (generation_id) WHERE generation_id IS NOT NULL;
CREATE INDEX ledger_created ON ledger_entries (created_at);
CREATE INDEX ledger_credit ON ledger_entries (credit_id) WHERE credit_id IS NOT NULL;
-- One auto_refund per charge, one credit_void per manual credit.
CREATE UNIQUE INDEX ledger_one_reversal ON ledger_entries (reverses_id) WHERE reverses_id IS NOT NULL;
-- One charge per run, one manual_credit entry per grant.
CREATE UNIQUE INDEX ledger_one_charge ON ledger_entries (generation_id) WHERE kind = 'charge';
CREATE UNIQUE INDEX ledger_one_credit_entry ON ledger_entries (credit_id) WHERE kind = 'manual_credit';

-- Append-only: corrections are new, reversing entries.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

-- balance_after must be the running balance: the customer's cached balance
-- plus this amount. The AFTER trigger then moves the cache, so the balance is
-- the sum of the entries at every commit.
CREATE TRIGGER ledger_balance_check BEFORE INSERT ON ledger_entries
  WHEN NEW.balance_after IS NOT (SELECT balance FROM customers WHERE id = NEW.customer_id) + NEW.amount
BEGIN
  SELECT RAISE(ABORT, 'balance_after does not follow the customer balance');
END;
CREATE TRIGGER ledger_balance_apply AFTER INSERT ON ledger_entries BEGIN
  UPDATE customers SET balance = NEW.balance_after WHERE id = NEW.customer_id;
END;

-- A charge belongs to its run's customer and is counted on the run.
CREATE TRIGGER ledger_charge_check BEFORE INSERT ON ledger_entries
  WHEN NEW.kind = 'charge'
   AND NEW.customer_id IS NOT (SELECT customer_id FROM generations WHERE id = NEW.generation_id)
BEGIN
  SELECT RAISE(ABORT, 'charge customer differs from the run customer');
END;
CREATE TRIGGER ledger_charge_apply AFTER INSERT ON ledger_entries WHEN NEW.kind = 'charge' BEGIN
  UPDATE generations SET tokens_charged = -NEW.amount, charge_id = NEW.id WHERE id = NEW.generation_id;
END;

-- An auto-refund reverses exactly one charge, whole, on the same run.
CREATE TRIGGER ledger_auto_refund_check BEFORE INSERT ON ledger_entries
  WHEN NEW.kind = 'auto_refund' AND NOT EXISTS (
    SELECT 1 FROM ledger_entries c
     WHERE c.id = NEW.reverses_id AND c.kind = 'charge' AND c.amount = -NEW.amount
       AND c.customer_id = NEW.customer_id AND c.generation_id IS NEW.generation_id)
BEGIN
  SELECT RAISE(ABORT, 'auto_refund must reverse a whole charge of the same run');
END;
CREATE TRIGGER ledger_auto_refund_apply AFTER INSERT ON ledger_entries WHEN NEW.kind = 'auto_refund' BEGIN
  UPDATE generations SET tokens_auto_refunded = NEW.amount, auto_refund_id = NEW.id WHERE id = NEW.generation_id;
END;

-- A manual credit is produced by exactly one applied grant, for its amount.
CREATE TRIGGER ledger_manual_credit_check BEFORE INSERT ON ledger_entries
  WHEN NEW.kind = 'manual_credit' AND NOT EXISTS (
    SELECT 1 FROM credits g
     WHERE g.id = NEW.credit_id AND g.status = 'applied' AND g.amount = NEW.amount
       AND g.customer_id = NEW.customer_id)
BEGIN
  SELECT RAISE(ABORT, 'manual_credit must match an applied credit grant');
END;
CREATE TRIGGER ledger_manual_credit_apply AFTER INSERT ON ledger_entries WHEN NEW.kind = 'manual_credit' BEGIN
  UPDATE generations SET tokens_credited = tokens_credited
      + (SELECT tokens FROM credit_items WHERE credit_id = NEW.credit_id AND generation_id = generations.id)
    WHERE id IN (SELECT generation_id FROM credit_items WHERE credit_id = NEW.credit_id);
END;

-- A void reverses one manual credit, whole, of a voided grant.
CREATE TRIGGER ledger_credit_void_check BEFORE INSERT ON ledger_entries
  WHEN NEW.kind = 'credit_void' AND NOT EXISTS (
    SELECT 1 FROM ledger_entries m JOIN credits g ON g.id = m.credit_id
     WHERE m.id = NEW.reverses_id AND m.kind = 'manual_credit' AND m.amount = -NEW.amount
       AND m.credit_id = NEW.credit_id AND g.status = 'voided')
BEGIN
  SELECT RAISE(ABORT, 'credit_void must reverse the whole manual credit of a voided grant');
END;
CREATE TRIGGER ledger_credit_void_apply AFTER INSERT ON ledger_entries WHEN NEW.kind = 'credit_void' BEGIN
  UPDATE generations SET tokens_credited = tokens_credited
      - (SELECT tokens FROM credit_items WHERE credit_id = NEW.credit_id AND generation_id = generations.id)
    WHERE id IN (SELECT generation_id FROM credit_items WHERE credit_id = NEW.credit_id);
END;

CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor_type   TEXT NOT NULL CHECK (actor_type IN ('staff', 'system', 'ingest', 'anonymous')),
  actor_id     TEXT NOT NULL,
  actor_name   TEXT,
  action       TEXT NOT NULL,
  entity_type  TEXT NOT NULL,
  entity_id    TEXT,
  customer_id  TEXT,
  before_json  TEXT,
  after_json   TEXT,
  reason       TEXT,
  request_id   TEXT,
  client_ip    TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_at ON audit_events (at);
CREATE INDEX audit_entity ON audit_events (entity_type, entity_id);
CREATE INDEX audit_customer ON audit_events (customer_id, at) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_actor ON audit_events (actor_id, at);
CREATE INDEX audit_action ON audit_events (action, at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TABLE idempotency_keys (
  staff_id     TEXT NOT NULL REFERENCES staff (id),
  key          TEXT NOT NULL,
  body_hash    TEXT NOT NULL,
  status_code  INTEGER NOT NULL,
  response     TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (staff_id, key)
);

CREATE TABLE ingest_events (
  id           TEXT PRIMARY KEY,
  type         TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  -- applied | no_effect (e.g. a second refund of a charge) | failed (held, then
  -- found invalid once its parent arrived; see `note`)
  outcome      TEXT NOT NULL CHECK (outcome IN ('applied', 'no_effect', 'failed')),
  note         TEXT
) WITHOUT ROWID;

-- Events that arrived before the record they hang on; applied when it comes.
CREATE TABLE ingest_held (
  event_id     TEXT PRIMARY KEY,
  waits_for    TEXT NOT NULL,
  type         TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  payload      TEXT NOT NULL,
  received_at  TEXT NOT NULL
);
CREATE INDEX ingest_held_waits ON ingest_held (waits_for);
