-- The whole Token Desk domain on PostgreSQL: the same tables, columns,
-- indexes and refusals as db/migrations/001_domain.sql (docs/domain.md), so
-- rows copy across unchanged and the API answers the same on both engines.
-- What differs and why is in docs/postgres.md. In short:
--
-- * Ids and times are text holding the same ISO 8601 strings as on SQLite, so
--   answers and audit hashes are byte-identical. Every text column is
--   COLLATE "C": SQLite compares text byte by byte, and so do these columns,
--   whatever the database's locale, so lists sort the same on both engines.
-- * Token amounts are bigint; flags stay 0/1 integers as SQLite stores them.
-- * Each SQLite trigger becomes a PL/pgSQL function. PostgreSQL allows no
--   subquery in a trigger's WHEN, so those checks live in the functions.
--   Where SQLite has several BEFORE triggers for one event, one function runs
--   their checks in the order SQLite fires them (newest first), so a row that
--   breaks several rules is refused with the same message on both engines.
-- * Refusals carry SQLite's words, with SQLSTATE 23000 (an integrity
--   constraint violation, as SQLite's RAISE(ABORT) is a constraint error).
-- * PostgreSQL runs AFTER ROW triggers at the end of the statement, not after
--   each row: insert ledger entries one per statement (each one's
--   balance_after follows the entry before it).
-- * The application's role may not UPDATE, DELETE or TRUNCATE the ledger and
--   the audit log (privileges), and triggers refuse those statements to
--   everyone, the owner included (TRUNCATE too, which SQLite does not have).

-- The group role the application's login role belongs to (docs/postgres.md).
-- Roles belong to the whole cluster, so it may exist already; creating it
-- needs CREATEROLE, and without it the schema is still made: the grants below
-- are then skipped and the application must connect as the schema's owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    CREATE ROLE tokendesk_app NOLOGIN;
  END IF;
EXCEPTION
  WHEN insufficient_privilege THEN
    RAISE NOTICE 'role tokendesk_app was not created (%): create it with CREATE ROLE tokendesk_app NOLOGIN and migrate again from an empty database, or connect the console as the owner of the schema (docs/postgres.md)', SQLERRM;
  -- Another database of the same cluster created it at the same moment.
  WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

-- Refuses the statement that fired it with the message given as its argument:
-- the append-only and never-deleted rules of several tables.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TABLE customers (
  id           text COLLATE "C" PRIMARY KEY,
  name         text COLLATE "C" NOT NULL,
  email        text COLLATE "C" NOT NULL,
  plan         text COLLATE "C" NOT NULL,
  time_zone    text COLLATE "C",
  created_at   text COLLATE "C" NOT NULL,
  -- occurred_at of the upsert that set these fields: a replayed or older
  -- upsert never overwrites a newer one, whatever the arrival order.
  source_at    text COLLATE "C" NOT NULL,
  -- Cache of SUM(ledger_entries.amount), maintained only by the ledger
  -- triggers below. Never write it directly.
  balance      bigint NOT NULL DEFAULT 0
);
-- SQLite's NOCASE folds ASCII letters only; lower() of a "C" text does the same.
CREATE INDEX customers_email ON customers (lower(email));
CREATE INDEX customers_name ON customers (lower(name));

CREATE TABLE chats (
  id           text COLLATE "C" PRIMARY KEY,
  customer_id  text COLLATE "C" NOT NULL REFERENCES customers (id),
  title        text COLLATE "C",
  created_at   text COLLATE "C" NOT NULL,
  -- occurred_at|event id of the event that set the title (latest wins).
  source_at    text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX chats_customer ON chats (customer_id, created_at);

CREATE TABLE generations (
  id              text COLLATE "C" PRIMARY KEY,
  chat_id         text COLLATE "C" NOT NULL REFERENCES chats (id),
  customer_id     text COLLATE "C" NOT NULL REFERENCES customers (id),
  tool            text COLLATE "C" NOT NULL,
  model           text COLLATE "C",
  prompt          text COLLATE "C",
  status          text COLLATE "C" NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  error_code      text COLLATE "C",
  error_message   text COLLATE "C",
  started_at      text COLLATE "C" NOT NULL,
  finished_at     text COLLATE "C",
  -- occurred_at|event id of the events that set the descriptive fields and
  -- the status: a later event wins whatever the arrival order.
  source_at       text COLLATE "C" NOT NULL DEFAULT '',
  status_at       text COLLATE "C" NOT NULL,
  -- Token counters, maintained only by triggers on ledger_entries, credits
  -- and credit_items. Never write them directly.
  tokens_charged        bigint NOT NULL DEFAULT 0,
  tokens_auto_refunded  bigint NOT NULL DEFAULT 0,
  tokens_credited       bigint NOT NULL DEFAULT 0,
  tokens_reserved       bigint NOT NULL DEFAULT 0,
  charge_id             text COLLATE "C",
  auto_refund_id        text COLLATE "C",
  asset_count           integer NOT NULL DEFAULT 0,
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
  id             text COLLATE "C" PRIMARY KEY,
  generation_id  text COLLATE "C" NOT NULL REFERENCES generations (id),
  customer_id    text COLLATE "C" NOT NULL REFERENCES customers (id),
  kind           text COLLATE "C" NOT NULL CHECK (kind IN ('image', 'video')),
  mime           text COLLATE "C" NOT NULL,
  url            text COLLATE "C" NOT NULL,
  thumbnail_url  text COLLATE "C",
  width          integer,
  height         integer,
  duration_ms    integer,
  -- Ingestion takes up to 10^13 bytes.
  bytes          bigint,
  created_at     text COLLATE "C" NOT NULL
);
CREATE INDEX assets_generation ON assets (generation_id);
CREATE INDEX assets_customer ON assets (customer_id, created_at);

CREATE FUNCTION assets_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE generations SET asset_count = asset_count + 1 WHERE id = NEW.generation_id;
  RETURN NULL;
END $$;
CREATE TRIGGER assets_count AFTER INSERT ON assets FOR EACH ROW EXECUTE FUNCTION assets_count();

CREATE TABLE staff (
  id                    text COLLATE "C" PRIMARY KEY,
  email                 text COLLATE "C" NOT NULL,
  name                  text COLLATE "C" NOT NULL,
  role                  text COLLATE "C" NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
  disabled              integer NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  password_hash         text COLLATE "C",
  must_change_password  integer NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  external_subject      text COLLATE "C",
  created_at            text COLLATE "C" NOT NULL,
  updated_at            text COLLATE "C" NOT NULL
);
-- SQLite's `email UNIQUE COLLATE NOCASE`: one account per address, ASCII case aside.
CREATE UNIQUE INDEX staff_email ON staff (lower(email));

CREATE TABLE sessions (
  -- SHA-256 of the cookie's random id: a copy of the database opens no session.
  id_hash       text COLLATE "C" PRIMARY KEY,
  staff_id      text COLLATE "C" NOT NULL REFERENCES staff (id),
  csrf_token    text COLLATE "C" NOT NULL,
  created_at    text COLLATE "C" NOT NULL,
  last_seen_at  text COLLATE "C" NOT NULL,
  expires_at    text COLLATE "C" NOT NULL,
  client_ip     text COLLATE "C",
  user_agent    text COLLATE "C"
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE credit_policy (
  id                          integer PRIMARY KEY CHECK (id = 1),
  approval_threshold          bigint NOT NULL CHECK (approval_threshold >= 0),
  agent_daily_limit           bigint NOT NULL CHECK (agent_daily_limit >= 0),
  lead_approval_threshold     bigint NOT NULL CHECK (lead_approval_threshold >= 0),
  goodwill_requires_approval  integer NOT NULL CHECK (goodwill_requires_approval IN (0, 1)),
  refund_grace_minutes        integer NOT NULL CHECK (refund_grace_minutes >= 0),
  updated_at                  text COLLATE "C" NOT NULL,
  updated_by                  text COLLATE "C"
);
INSERT INTO credit_policy VALUES (1, 500, 2000, 5000, 1, 15, '1970-01-01T00:00:00.000Z', NULL);

CREATE TABLE credits (
  id                   text COLLATE "C" PRIMARY KEY,
  customer_id          text COLLATE "C" NOT NULL REFERENCES customers (id),
  amount               bigint NOT NULL CHECK (amount > 0),
  reason               text COLLATE "C" NOT NULL CHECK (reason IN ('off_prompt', 'visual_artifacts', 'wrong_format_or_length',
                         'safety_false_positive', 'duplicate_run', 'missed_auto_refund', 'goodwill', 'other')),
  ticket_ref           text COLLATE "C" NOT NULL,
  expected             text COLLATE "C" NOT NULL,
  received             text COLLATE "C" NOT NULL,
  note                 text COLLATE "C",
  customer_asset_urls  text COLLATE "C" NOT NULL DEFAULT '[]',
  evidence             text COLLATE "C" NOT NULL DEFAULT '{}',
  requested_by         text COLLATE "C" NOT NULL REFERENCES staff (id),
  status               text COLLATE "C" NOT NULL CHECK (status IN ('pending_approval', 'applied', 'rejected', 'voided')),
  decided_by           text COLLATE "C" REFERENCES staff (id),
  decided_at           text COLLATE "C",
  decision_reason      text COLLATE "C",
  voided_by            text COLLATE "C",
  voided_at            text COLLATE "C",
  void_reason          text COLLATE "C",
  transaction_id       text COLLATE "C",
  void_transaction_id  text COLLATE "C",
  idempotency_key      text COLLATE "C" NOT NULL,
  created_at           text COLLATE "C" NOT NULL,
  UNIQUE (requested_by, idempotency_key)
);
CREATE INDEX credits_customer ON credits (customer_id, created_at);
CREATE INDEX credits_status ON credits (status, created_at);
CREATE INDEX credits_requester ON credits (requested_by, created_at);
CREATE INDEX credits_created ON credits (created_at);

CREATE TABLE credit_items (
  credit_id      text COLLATE "C" NOT NULL REFERENCES credits (id),
  generation_id  text COLLATE "C" NOT NULL REFERENCES generations (id),
  tokens         bigint NOT NULL CHECK (tokens > 0),
  PRIMARY KEY (credit_id, generation_id)
);
CREATE INDEX credit_items_generation ON credit_items (generation_id);

-- credit_items_reserve: a pending credit reserves its runs' tokens
-- (invariant 4): the CHECK on generations then refuses any second claim on them.
CREATE FUNCTION credit_items_reserve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM credits WHERE id = NEW.credit_id) = 'pending_approval' THEN
    UPDATE generations SET tokens_reserved = tokens_reserved + NEW.tokens WHERE id = NEW.generation_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER credit_items_reserve AFTER INSERT ON credit_items FOR EACH ROW EXECUTE FUNCTION credit_items_reserve();
CREATE TRIGGER credit_items_frozen BEFORE UPDATE ON credit_items
  FOR EACH ROW EXECUTE FUNCTION refuse_change('credit_items are immutable');
CREATE TRIGGER credit_items_kept BEFORE DELETE ON credit_items
  FOR EACH ROW EXECUTE FUNCTION refuse_change('credit_items are immutable');
-- SQLite has no TRUNCATE, and its DELETE without WHERE runs the triggers above.
CREATE TRIGGER credit_items_kept_whole BEFORE TRUNCATE ON credit_items
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('credit_items are immutable');

CREATE FUNCTION credits_release_reservation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE generations g SET tokens_reserved = g.tokens_reserved - i.tokens
    FROM credit_items i
   WHERE i.credit_id = NEW.id AND i.generation_id = g.id;
  RETURN NULL;
END $$;
CREATE TRIGGER credits_release_reservation AFTER UPDATE OF status ON credits
  FOR EACH ROW WHEN (OLD.status = 'pending_approval' AND NEW.status <> 'pending_approval')
  EXECUTE FUNCTION credits_release_reservation();
-- The only ways a grant's status may move.
CREATE TRIGGER credits_status_flow BEFORE UPDATE OF status ON credits
  FOR EACH ROW WHEN (NOT (OLD.status = NEW.status
    OR (OLD.status = 'pending_approval' AND NEW.status IN ('applied', 'rejected'))
    OR (OLD.status = 'applied' AND NEW.status = 'voided')))
  EXECUTE FUNCTION refuse_change('credit status change not allowed');
CREATE TRIGGER credits_kept BEFORE DELETE ON credits
  FOR EACH ROW EXECUTE FUNCTION refuse_change('credits are never deleted');
CREATE TRIGGER credits_kept_whole BEFORE TRUNCATE ON credits
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('credits are never deleted');

CREATE TABLE ledger_entries (
  -- SQLite's INTEGER PRIMARY KEY numbers rows itself; copied rows keep theirs.
  seq            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  id             text COLLATE "C" NOT NULL UNIQUE,
  customer_id    text COLLATE "C" NOT NULL REFERENCES customers (id),
  kind           text COLLATE "C" NOT NULL CHECK (kind IN ('purchase', 'plan_grant', 'charge', 'auto_refund', 'manual_credit', 'credit_void')),
  amount         bigint NOT NULL,
  balance_after  bigint NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  recorded_at    text COLLATE "C" NOT NULL,
  generation_id  text COLLATE "C" REFERENCES generations (id),
  chat_id        text COLLATE "C" REFERENCES chats (id),
  tool           text COLLATE "C",
  reverses_id    text COLLATE "C" REFERENCES ledger_entries (id),
  credit_id      text COLLATE "C" REFERENCES credits (id),
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
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_change('ledger entries are append-only');
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_change('ledger entries are append-only');
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('ledger entries are append-only');

-- SQLite's BEFORE INSERT triggers on ledger_entries, in the order SQLite
-- fires them: ledger_credit_void_check, ledger_manual_credit_check,
-- ledger_auto_refund_check, ledger_charge_check, ledger_balance_check.
CREATE FUNCTION ledger_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  customer_balance bigint;
BEGIN
  -- A void reverses one manual credit, whole, of a voided grant. FOR SHARE
  -- holds the grant's status until this transaction ends, as SQLite's single
  -- writer does.
  IF NEW.kind = 'credit_void' AND NOT EXISTS (
      SELECT 1 FROM ledger_entries m JOIN credits g ON g.id = m.credit_id
       WHERE m.id = NEW.reverses_id AND m.kind = 'manual_credit' AND m.amount = -NEW.amount
         AND m.credit_id = NEW.credit_id AND g.status = 'voided'
         FOR SHARE OF g) THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'credit_void must reverse the whole manual credit of a voided grant';
  END IF;

  -- A manual credit is produced by exactly one applied grant, for its amount.
  IF NEW.kind = 'manual_credit' AND NOT EXISTS (
      SELECT 1 FROM credits g
       WHERE g.id = NEW.credit_id AND g.status = 'applied' AND g.amount = NEW.amount
         AND g.customer_id = NEW.customer_id
         FOR SHARE) THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'manual_credit must match an applied credit grant';
  END IF;

  -- An auto-refund reverses exactly one charge, whole, on the same run.
  IF NEW.kind = 'auto_refund' AND NOT EXISTS (
      SELECT 1 FROM ledger_entries c
       WHERE c.id = NEW.reverses_id AND c.kind = 'charge' AND c.amount = -NEW.amount
         AND c.customer_id = NEW.customer_id AND c.generation_id IS NOT DISTINCT FROM NEW.generation_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'auto_refund must reverse a whole charge of the same run';
  END IF;

  -- A charge belongs to its run's customer.
  IF NEW.kind = 'charge'
     AND NEW.customer_id IS DISTINCT FROM (SELECT customer_id FROM generations WHERE id = NEW.generation_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'charge customer differs from the run customer';
  END IF;

  -- balance_after must be the running balance: the customer's cached balance
  -- plus this amount. FOR UPDATE makes concurrent entries of one customer
  -- wait for each other, so each reads the balance the one before it left
  -- (SQLite's single writer gives that for free); ledger_entries_apply then
  -- moves the cache, so the balance is the sum of the entries at every commit.
  SELECT balance INTO customer_balance FROM customers WHERE id = NEW.customer_id FOR UPDATE;
  IF NEW.balance_after IS DISTINCT FROM customer_balance + NEW.amount THEN
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
      MESSAGE = 'balance_after does not follow the customer balance';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_guard BEFORE INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_guard();

-- SQLite's AFTER INSERT triggers: ledger_balance_apply, ledger_charge_apply,
-- ledger_auto_refund_apply, ledger_manual_credit_apply, ledger_credit_void_apply.
CREATE FUNCTION ledger_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE customers SET balance = NEW.balance_after WHERE id = NEW.customer_id;
  CASE NEW.kind
    WHEN 'charge' THEN
      UPDATE generations SET tokens_charged = -NEW.amount, charge_id = NEW.id WHERE id = NEW.generation_id;
    WHEN 'auto_refund' THEN
      UPDATE generations SET tokens_auto_refunded = NEW.amount, auto_refund_id = NEW.id WHERE id = NEW.generation_id;
    WHEN 'manual_credit' THEN
      UPDATE generations g SET tokens_credited = g.tokens_credited + i.tokens
        FROM credit_items i WHERE i.credit_id = NEW.credit_id AND i.generation_id = g.id;
    WHEN 'credit_void' THEN
      UPDATE generations g SET tokens_credited = g.tokens_credited - i.tokens
        FROM credit_items i WHERE i.credit_id = NEW.credit_id AND i.generation_id = g.id;
    ELSE
      NULL;
  END CASE;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_apply();

CREATE TABLE audit_events (
  seq          bigint PRIMARY KEY,
  at           text COLLATE "C" NOT NULL,
  actor_type   text COLLATE "C" NOT NULL CHECK (actor_type IN ('staff', 'system', 'ingest', 'anonymous')),
  actor_id     text COLLATE "C" NOT NULL,
  actor_name   text COLLATE "C",
  action       text COLLATE "C" NOT NULL,
  entity_type  text COLLATE "C" NOT NULL,
  entity_id    text COLLATE "C",
  customer_id  text COLLATE "C",
  before_json  text COLLATE "C",
  after_json   text COLLATE "C",
  reason       text COLLATE "C",
  request_id   text COLLATE "C",
  client_ip    text COLLATE "C",
  prev_hash    text COLLATE "C" NOT NULL,
  hash         text COLLATE "C" NOT NULL UNIQUE
);
CREATE INDEX audit_at ON audit_events (at);
CREATE INDEX audit_entity ON audit_events (entity_type, entity_id);
CREATE INDEX audit_customer ON audit_events (customer_id, at) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_actor ON audit_events (actor_id, at);
CREATE INDEX audit_action ON audit_events (action, at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change('audit events are append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change('audit events are append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('audit events are append-only');

CREATE TABLE idempotency_keys (
  staff_id     text COLLATE "C" NOT NULL REFERENCES staff (id),
  key          text COLLATE "C" NOT NULL,
  body_hash    text COLLATE "C" NOT NULL,
  status_code  integer NOT NULL,
  response     text COLLATE "C" NOT NULL,
  created_at   text COLLATE "C" NOT NULL,
  PRIMARY KEY (staff_id, key)
);

CREATE TABLE ingest_events (
  id           text COLLATE "C" PRIMARY KEY,
  type         text COLLATE "C" NOT NULL,
  occurred_at  text COLLATE "C" NOT NULL,
  received_at  text COLLATE "C" NOT NULL,
  -- applied | no_effect (e.g. a second refund of a charge) | failed (held, then
  -- found invalid once its parent arrived; see `note`)
  outcome      text COLLATE "C" NOT NULL CHECK (outcome IN ('applied', 'no_effect', 'failed')),
  note         text COLLATE "C"
);

-- Events that arrived before the record they hang on; applied when it comes.
CREATE TABLE ingest_held (
  event_id     text COLLATE "C" PRIMARY KEY,
  waits_for    text COLLATE "C" NOT NULL,
  type         text COLLATE "C" NOT NULL,
  occurred_at  text COLLATE "C" NOT NULL,
  payload      text COLLATE "C" NOT NULL,
  received_at  text COLLATE "C" NOT NULL
);
CREATE INDEX ingest_held_waits ON ingest_held (waits_for);

-- What the application may do (docs/postgres.md): read and add everywhere,
-- change what it changes, delete only short-lived rows. Never UPDATE, DELETE
-- or TRUNCATE on the ledger or the audit log, never TRUNCATE anywhere.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO tokendesk_app', current_schema());
    GRANT SELECT ON schema_migrations TO tokendesk_app;
    GRANT SELECT, INSERT, UPDATE ON customers, chats, generations, assets, staff, credits, ingest_events TO tokendesk_app;
    GRANT SELECT, UPDATE ON credit_policy TO tokendesk_app;
    GRANT SELECT, INSERT ON credit_items, ledger_entries, audit_events TO tokendesk_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, idempotency_keys, ingest_held TO tokendesk_app;
  END IF;
END $$;
