-- db/migrations/009_shorter_write_locks.sql on PostgreSQL (docs/postgres.md,
-- "Several writers"). Two locks every credit takes were held far longer than
-- their work: with many grants in flight they queued one whole transaction
-- after another.
--
-- 1. A requester's day total (migration 004). The triggers that keep it ran as
--    each grant was inserted, rejected or voided, and its row stayed locked
--    from there to the COMMIT, through every statement in between: all the
--    grants of one lead, on any instance, waited on it in turn. They are now
--    constraint triggers, deferred: the row is written and locked as the
--    transaction commits, or where the transaction asks for it with
--    SET CONSTRAINTS … IMMEDIATE — a credit request just before its audit
--    events, a rejection or a void where the trigger used to fire, so the lock
--    order stays (day total before the audit chain). Deferred events fire in
--    the order they happened, so a grant entered and voided in one
--    transaction counts as before; what a total means is unchanged, and a
--    rolled-back grant still never counts.
-- 2. The audit chain (7306001). Every change locked it, read its last event
--    and inserted its own events, three round trips with the lock held, and
--    every writer of the console queues on that lock. audit_append() does
--    the three in one call: it fires the day totals still deferred first (the
--    lock order puts them before the chain), takes the lock, reads the last
--    event in a statement of its own (its snapshot taken after the lock is
--    granted, so it sees the event the previous holder committed) and chains
--    the new events to it. The hash is the one server/audit/auditChain.ts
--    computes: SHA-256 of the previous hash, a newline and the event's hashed
--    fields as a JSON array; the application sends that array's text without
--    its first element (the seq, not known before the lock), and the seq is
--    written in front of it here. audit:verify checks every event in JS.

DROP TRIGGER credits_day_total_insert ON credits;
CREATE CONSTRAINT TRIGGER credits_day_total_insert AFTER INSERT ON credits
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status IN ('pending_approval', 'applied'))
  EXECUTE FUNCTION credits_day_total_insert();

DROP TRIGGER credits_day_total_rejected ON credits;
CREATE CONSTRAINT TRIGGER credits_day_total_rejected AFTER UPDATE OF status ON credits
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status = 'rejected' AND OLD.status <> 'rejected')
  EXECUTE FUNCTION credits_day_total_rejected();

DROP TRIGGER credits_day_total_voided ON credits;
CREATE CONSTRAINT TRIGGER credits_day_total_voided AFTER UPDATE OF status ON credits
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.status = 'voided' AND OLD.status <> 'voided')
  EXECUTE FUNCTION credits_day_total_voided();

CREATE FUNCTION audit_append(events json, hashed_tails text[])
RETURNS TABLE (seq bigint, prev_hash text, hash text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  ev audit_events;
BEGIN
  SET CONSTRAINTS credits_day_total_insert, credits_day_total_rejected, credits_day_total_voided IMMEDIATE;
  PERFORM pg_advisory_xact_lock(7306001);
  SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
  last_seq := COALESCE(last_seq, 0);
  last_hash := COALESCE(last_hash, repeat('0', 64));
  FOR i IN 1 .. COALESCE(array_length(hashed_tails, 1), 0) LOOP
    ev := json_populate_record(NULL::audit_events, events -> (i - 1));
    ev.seq := last_seq + 1;
    ev.prev_hash := last_hash;
    ev.hash := encode(sha256(convert_to(last_hash || E'\n[' || ev.seq::text || ',' || hashed_tails[i], 'UTF8')), 'hex');
    INSERT INTO audit_events VALUES (ev.*);
    last_seq := ev.seq;
    seq := ev.seq;
    prev_hash := last_hash;
    hash := ev.hash;
    last_hash := ev.hash;
    RETURN NEXT;
  END LOOP;
END $$;
