-- db/migrations/008_ledger_apply_per_row.sql on PostgreSQL (docs/postgres.md).
-- PostgreSQL runs a row's AFTER triggers only when its whole statement ends,
-- so ledger_entries_apply moved a balance (and a run's charged, refunded and
-- credited tokens) after every row of a multi-row INSERT or a COPY had been
-- checked against the state before the statement: a load of several entries
-- of one customer in one statement was refused. The guard now applies what
-- it checked, row by row, as SQLite's AFTER INSERT triggers do; a later row
-- of the same statement sees it (a row-level BEFORE trigger sees the effects
-- of the rows its command processed before it). A row the table then refuses
-- fails its whole statement, undoing what the guard applied. Never insert a
-- ledger entry with ON CONFLICT DO NOTHING: the guard would apply an entry
-- the conflict then skips.
DROP TRIGGER ledger_entries_apply ON ledger_entries;
DROP FUNCTION ledger_entries_apply();

CREATE OR REPLACE FUNCTION ledger_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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

  -- What ledger_entries_apply did after the row, now done here, row by row
  -- (the reason is at the top of this file).
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
  RETURN NEW;
END $$;
