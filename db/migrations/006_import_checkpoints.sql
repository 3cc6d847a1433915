-- The bulk history import (`npm run import -- FILE --history`, README.md,
-- Command-line tools). One row per file: how far the import has come,
-- rewritten in the same transaction as each chunk of the file it loads, so a
-- run stopped at any point (kill -9 included) continues where it stopped and
-- never loads a line twice. A file is known by a hash of its path, its size
-- and its first 64 KiB.
CREATE TABLE import_checkpoints (
  file_key           TEXT PRIMARY KEY,
  path               TEXT NOT NULL,
  size               INTEGER NOT NULL CHECK (size >= 0),
  -- Bytes of the file (after gunzip for a .gz) and lines committed: the next run reads on from here.
  byte_offset        INTEGER NOT NULL DEFAULT 0 CHECK (byte_offset >= 0),
  line               INTEGER NOT NULL DEFAULT 0 CHECK (line >= 0),
  -- Chunks committed: a second process importing the same file at once finds it moved and stops.
  chunks             INTEGER NOT NULL DEFAULT 0 CHECK (chunks >= 0),
  -- The ledger's last seq when the import began: the end-of-import checks cover the entries after it.
  ledger_seq_before  INTEGER NOT NULL,
  events             INTEGER NOT NULL DEFAULT 0,
  applied            INTEGER NOT NULL DEFAULT 0,
  duplicates         INTEGER NOT NULL DEFAULT 0,
  rejected           INTEGER NOT NULL DEFAULT 0,
  ledger_rows        INTEGER NOT NULL DEFAULT 0,
  started_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  finished_at        TEXT
);

-- Events whose parent record (customer, chat, run or charge) was neither in
-- the database nor on an earlier line: they wait here until a later line
-- stores it (`ready` then, loaded by the next chunk). Kept in the database, in
-- the chunk's transaction, so that a crash loses none; those still waiting at
-- the end of the file are rejected. `waits_for` is written as ingest_held's.
CREATE TABLE import_waiting (
  file_key     TEXT NOT NULL REFERENCES import_checkpoints (file_key),
  line         INTEGER NOT NULL,
  event_id     TEXT NOT NULL,
  type         TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  waits_for    TEXT NOT NULL,
  -- The event's data as validated (times normalised).
  payload      TEXT NOT NULL,
  ready        INTEGER NOT NULL DEFAULT 0 CHECK (ready IN (0, 1)),
  PRIMARY KEY (file_key, line)
);
CREATE INDEX import_waiting_parent ON import_waiting (file_key, waits_for) WHERE ready = 0;
CREATE INDEX import_waiting_ready ON import_waiting (file_key, line) WHERE ready = 1;
-- An event id waiting here is a duplicate if it comes again, as one in ingest_held is.
CREATE INDEX import_waiting_event ON import_waiting (event_id);

-- Every line the import refused and why, so that the report of a run resumed
-- after a crash still lists them all.
CREATE TABLE import_rejections (
  file_key  TEXT NOT NULL REFERENCES import_checkpoints (file_key),
  line      INTEGER NOT NULL,
  event_id  TEXT,
  reason    TEXT NOT NULL,
  PRIMARY KEY (file_key, line)
) WITHOUT ROWID;
