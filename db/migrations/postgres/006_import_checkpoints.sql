-- db/migrations/006_import_checkpoints.sql on PostgreSQL (docs/postgres.md).
-- The bulk history import (`npm run import -- FILE --history`, README.md,
-- Command-line tools). One row per file: how far the import has come,
-- rewritten in the same transaction as each chunk of the file it loads, so a
-- run stopped at any point (kill -9 included) continues where it stopped and
-- never loads a line twice. A file is known by a hash of its path, its size
-- and its first 64 KiB. The import itself runs on SQLite only for now.
CREATE TABLE import_checkpoints (
  file_key           text COLLATE "C" PRIMARY KEY,
  path               text COLLATE "C" NOT NULL,
  size               bigint NOT NULL CHECK (size >= 0),
  byte_offset        bigint NOT NULL DEFAULT 0 CHECK (byte_offset >= 0),
  line               bigint NOT NULL DEFAULT 0 CHECK (line >= 0),
  chunks             bigint NOT NULL DEFAULT 0 CHECK (chunks >= 0),
  ledger_seq_before  bigint NOT NULL,
  events             bigint NOT NULL DEFAULT 0,
  applied            bigint NOT NULL DEFAULT 0,
  duplicates         bigint NOT NULL DEFAULT 0,
  rejected           bigint NOT NULL DEFAULT 0,
  ledger_rows        bigint NOT NULL DEFAULT 0,
  started_at         text COLLATE "C" NOT NULL,
  updated_at         text COLLATE "C" NOT NULL,
  finished_at        text COLLATE "C"
);

-- Events whose parent record was neither in the database nor on an earlier
-- line wait here until a later line stores it; those still waiting at the
-- end of the file are rejected.
CREATE TABLE import_waiting (
  file_key     text COLLATE "C" NOT NULL REFERENCES import_checkpoints (file_key),
  line         bigint NOT NULL,
  event_id     text COLLATE "C" NOT NULL,
  type         text COLLATE "C" NOT NULL,
  occurred_at  text COLLATE "C" NOT NULL,
  waits_for    text COLLATE "C" NOT NULL,
  payload      text COLLATE "C" NOT NULL,
  ready        integer NOT NULL DEFAULT 0 CHECK (ready IN (0, 1)),
  PRIMARY KEY (file_key, line)
);
CREATE INDEX import_waiting_parent ON import_waiting (file_key, waits_for) WHERE ready = 0;
CREATE INDEX import_waiting_ready ON import_waiting (file_key, line) WHERE ready = 1;
CREATE INDEX import_waiting_event ON import_waiting (event_id);

-- Every line the import refused and why.
CREATE TABLE import_rejections (
  file_key  text COLLATE "C" NOT NULL REFERENCES import_checkpoints (file_key),
  line      bigint NOT NULL,
  event_id  text COLLATE "C",
  reason    text COLLATE "C" NOT NULL,
  PRIMARY KEY (file_key, line)
);

-- The checkpoint moves with each chunk; waiting events come and go;
-- rejections are kept.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    GRANT SELECT, INSERT, UPDATE ON import_checkpoints TO tokendesk_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON import_waiting TO tokendesk_app;
    GRANT SELECT, INSERT ON import_rejections TO tokendesk_app;
  END IF;
END $$;
