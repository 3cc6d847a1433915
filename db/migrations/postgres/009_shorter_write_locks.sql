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
-- 2. The audit chain (7306001). Its lock and the read of its last event were
--    two round trips, the lock held across both; audit_chain_tail() takes the
--    lock and then reads the last event in one. The read is a statement of
--    its own inside the function, with a snapshot taken after the lock is
--    granted: it sees the event the previous holder committed.

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

CREATE FUNCTION audit_chain_tail() RETURNS TABLE (seq bigint, hash text) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7306001);
  RETURN QUERY SELECT a.seq, a.hash::text FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
END $$;
