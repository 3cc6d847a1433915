import type { Db } from '../../db/connection.ts';
import { createCreditRepository, type CreditRow } from '../../db/repositories/creditRepository.ts';
import type { CustomerRow } from '../../db/repositories/customerRepository.ts';
import type { CreditEntryRef, EligibilityRow, EntryRef } from '../../db/repositories/eligibilityRepository.ts';
import type { IdempotencyRow } from '../../db/repositories/idempotencyRepository.ts';
import { refundStateSql } from '../../db/repositories/refundStateSql.ts';
import type { CreditRecord, CreditRequest, Eligibility, RunEligibility } from '../../shared/credits.ts';
import { approvalReasons, changedAmounts, reasonMismatch } from '../../shared/creditRules.ts';
import { creditableRefundStates } from '../../shared/refundState.ts';
import type { AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { NotFound, ValidationFailed } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createGraceCutoff } from '../ledger/refundState.ts';
import { createPolicyService } from '../policy/policyService.ts';
import { creditConflict, notEligible, staffActor, type CreditAnswer, type Requester } from './creditAnswers.ts';
import type { CreditReversals } from './creditReversals.ts';
import { rowToCredit } from './creditRecord.ts';

/** db/repositories/eligibilityRepository.ts on the synchronous connection. */
function syncEligibility(db: Db) {
  const run = db.prepare<{ id: string; grace_cutoff: string }, EligibilityRow>(`SELECT g.id, g.customer_id, g.chat_id, g.tool,
      g.status, g.finished_at, g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved, g.auto_refund_id,
      (SELECT l.created_at FROM ledger_entries l WHERE l.id = g.auto_refund_id) AS auto_refund_at,
      ${refundStateSql} AS refund_state
    FROM generations g WHERE g.id = @id`);
  const lastCredit = db.prepare<[string], CreditEntryRef>(`SELECT l.id, l.created_at,
      NOT EXISTS (SELECT 1 FROM credit_items i2 JOIN credits c2 ON c2.id = i2.credit_id JOIN credit_events e ON e.id = c2.transaction_id
                   WHERE i2.generation_id = i.generation_id AND c2.status = 'applied' AND e.state <> 'delivered') AS delivered
    FROM credit_items i
      JOIN credits c ON c.id = i.credit_id JOIN ledger_entries l ON l.id = c.transaction_id
    WHERE i.generation_id = ? AND c.status = 'applied' ORDER BY l.created_at DESC, l.seq DESC LIMIT 1`);
  const pendingCredit = db.prepare<[string], EntryRef>(`SELECT c.id, c.created_at FROM credit_items i JOIN credits c ON c.id = i.credit_id
    WHERE i.generation_id = ? AND c.status = 'pending_approval' ORDER BY c.created_at DESC LIMIT 1`);
  const dailyTotal = db
    .prepare<{ staff_id: string; day: string }, number>('SELECT open_tokens FROM credit_day_totals WHERE staff_id = @staff_id AND day = @day')
    .pluck();

  return {
    run: (id: string, graceCutoff: string): EligibilityRow | undefined => run.get({ id, grace_cutoff: graceCutoff }),
    /** The newest applied manual credit entry that returned tokens for the run, and whether the studio has them all. */
    lastCreditEntry: (generationId: string): CreditEntryRef | undefined => lastCredit.get(generationId),
    pendingCredit: (generationId: string): EntryRef | undefined => pendingCredit.get(generationId),
    /** The tokens of a staff member's applied and pending credits requested on a UTC day (YYYY-MM-DD). */
    dailyTotal: (staffId: string, day: string): number => dailyTotal.get({ staff_id: staffId, day }) ?? 0,
  };
}
type SyncEligibility = ReturnType<typeof syncEligibility>;

/** db/repositories/idempotencyRepository.ts on the synchronous connection. */
function syncIdempotency(db: Db) {
  const find = db.prepare<{ staff_id: string; key: string }, IdempotencyRow>('SELECT * FROM idempotency_keys WHERE staff_id = @staff_id AND key = @key');
  const insert = db.prepare<IdempotencyRow>(`INSERT INTO idempotency_keys (staff_id, key, body_hash, status_code, response, created_at)
    VALUES (@staff_id, @key, @body_hash, @status_code, @response, @created_at)`);
  const purge = db.prepare<[string]>('DELETE FROM idempotency_keys WHERE created_at < ?');
  return {
    find: (staffId: string, key: string): IdempotencyRow | undefined => find.get({ staff_id: staffId, key }),
    insert: (row: IdempotencyRow): void => {
      insert.run(row);
    },
    purgeOlderThan: (before: string): number => purge.run(before).changes,
  };
}

const creditableStates = new Set<string>(creditableRefundStates);

/** "2026-11-20 01:16 UTC": a time in a message people read; the fields beside it keep the ISO instant. */
const utcWords = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** server/credits/eligibility.ts judgeRun, read on the synchronous repository. */
function judgeRunSync(row: EligibilityRow, repo: SyncEligibility, ownReservation = 0): RunEligibility {
  const returned = row.tokens_auto_refunded + row.tokens_credited;
  const left = row.tokens_charged - returned - (row.tokens_reserved - ownReservation);
  const eligible = creditableStates.has(row.refund_state) ? Math.max(0, left) : 0;
  const base: RunEligibility = {
    generation_id: row.id,
    customer_id: row.customer_id,
    chat_id: row.chat_id,
    tool: row.tool,
    status: row.status,
    refund_state: row.refund_state,
    tokens_charged: row.tokens_charged,
    tokens_returned: returned,
    tokens_reserved: row.tokens_reserved,
    eligible_tokens: eligible,
    finished_at: row.finished_at,
  };
  if (eligible > 0) return base;

  if (row.refund_state === 'auto_refunded' && row.auto_refund_id && row.auto_refund_at) {
    return {
      ...base,
      blocked_by: { kind: 'auto_refund', id: row.auto_refund_id, created_at: row.auto_refund_at },
      message: `Already auto-refunded: ${row.tokens_auto_refunded} tokens returned by ${row.auto_refund_id} on ${utcWords(row.auto_refund_at)}.`,
    };
  }
  if (row.refund_state === 'in_progress') return { ...base, message: 'Still running: wait for the outcome.' };
  if (row.refund_state === 'not_charged') return { ...base, message: 'Nothing was charged for this run.' };
  if (row.refund_state === 'refund_pending') {
    return { ...base, message: `Failed at ${row.finished_at ? utcWords(row.finished_at) : 'an unknown time'}; the automatic refund is still within its grace period. Check again shortly.` };
  }
  const pending = row.tokens_reserved - ownReservation > 0 ? repo.pendingCredit(row.id) : undefined;
  if (pending) {
    return {
      ...base,
      blocked_by: { kind: 'pending_credit', id: pending.id, created_at: pending.created_at },
      message: `Credit ${pending.id} of ${utcWords(pending.created_at)} is waiting for approval and holds the rest of this run.`,
    };
  }
  const credit = repo.lastCreditEntry(row.id);
  if (credit) {
    return {
      ...base,
      blocked_by: { kind: 'manual_credit', id: credit.id, created_at: credit.created_at, delivered: credit.delivered === 1 },
      message: `Already credited in full: ${row.tokens_credited} tokens returned, last by ${credit.id} on ${utcWords(credit.created_at)}.`,
    };
  }
  return { ...base, message: 'Nothing is left to return for this run.' };
}

/**
 * The credit service as it was before the storage seam (server/credits/creditService.ts is the one
 * the server uses): every change one BEGIN IMMEDIATE transaction on better-sqlite3. Kept only while
 * server/seed/demoCredits.ts builds it from a connection; delete it with that use.
 */
export function createSyncCreditService(db: Db, ledger: Ledger, reversals: CreditReversals, audit: AuditLog, clock: Clock) {
  const credits = createCreditRepository(db);
  const eligibilityRepo = syncEligibility(db);
  const customers = { byId: (id: string): CustomerRow | undefined => db.prepare<[string], CustomerRow>('SELECT * FROM customers WHERE id = ?').get(id) };
  const idempotency = syncIdempotency(db);
  // Read inside each request's transaction, so the limits judged are the ones in force as it commits.
  const policy = createPolicyService(db, audit, clock);
  const graceCutoff = createGraceCutoff(db, clock);

  function record(id: string): CreditRecord {
    const row = credits.viewById(id);
    if (!row) throw new NotFound('Credit', id);
    return rowToCredit(row);
  }

  function eligibility(generationIds: string[]): Eligibility {
    const cutoff = graceCutoff();
    const runs = generationIds.map((id) => {
      const row = eligibilityRepo.run(id, cutoff);
      if (!row) throw new NotFound('Run', id);
      return judgeRunSync(row, eligibilityRepo);
    });
    return { runs, suggested_total: runs.reduce((sum, run) => sum + run.eligible_tokens, 0) };
  }

  /** Why a credit must wait for a lead (shared/creditRules.ts), with the requester's credits so far today read here. */
  function waitReasons(input: CreditRequest, requester: Requester): string[] {
    const today = requester.role === 'agent' ? eligibilityRepo.dailyTotal(requester.id, isoNow(clock).slice(0, 10)) : null;
    return approvalReasons(input, requester, policy.get(), today);
  }

  function request(input: CreditRequest, idempotencyKey: string, bodyHash: string, requester: Requester, origin: RequestOrigin): CreditAnswer {
    return db
      .transaction((): CreditAnswer => {
        const previous = idempotency.find(requester.id, idempotencyKey);
        if (previous) {
          if (previous.body_hash !== bodyHash) {
            throw creditConflict('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body. Use a new key for a new credit.');
          }
          return { status: previous.status_code as 201 | 202, record: JSON.parse(previous.response) as CreditRecord, replayed: true };
        }
        const customer = customers.byId(input.customer_id);
        if (!customer) throw new ValidationFailed({ customer_id: `no customer ${input.customer_id}` });

        const cutoff = graceCutoff();
        const requested = new Map(input.items.map((item) => [item.generation_id, item.tokens]));
        const runs = input.items.map((item, index) => {
          const row = eligibilityRepo.run(item.generation_id, cutoff);
          if (!row) throw new ValidationFailed({ [`items.${index}.generation_id`]: `no run ${item.generation_id}` });
          if (row.customer_id !== customer.id) throw new ValidationFailed({ [`items.${index}.generation_id`]: `run ${item.generation_id} belongs to another customer` });
          return judgeRunSync(row, eligibilityRepo);
        });
        // Eligibility first: a run with nothing left answers 409 whatever the reason.
        const blocked = runs.filter((run) => run.eligible_tokens < (requested.get(run.generation_id) ?? 0));
        if (blocked.length > 0) throw notEligible(blocked, requested);
        const mismatch = reasonMismatch(input.reason, runs);
        if (mismatch) throw new ValidationFailed({ reason: mismatch });
        const differs = changedAmounts(input.items, runs);
        if (differs.length > 0 && !input.note) {
          throw new ValidationFailed({ note: `explain why the amount differs from the suggested ${differs.map((d) => d.suggested).join(' + ')} tokens` });
        }

        const reasons = waitReasons(input, requester);
        const status = reasons.length > 0 ? 'pending_approval' : 'applied';
        const now = isoNow(clock);
        const balanceBefore = customer.balance;
        const chatIds = [...new Set(runs.map((run) => run.chat_id))];
        const tools = [...new Set(runs.map((run) => run.tool))];
        const evidence = {
          chat_ids: chatIds,
          runs: runs.map(({ generation_id, chat_id, tool, status: runStatus, refund_state, tokens_charged, tokens_returned, eligible_tokens }) => ({
            generation_id, chat_id, tool, status: runStatus, refund_state, tokens_charged, tokens_returned, eligible_tokens,
          })),
          balance_before: balanceBefore,
          approval_reasons: reasons,
        };
        const row: CreditRow = {
          id: newId('crd', clock().getTime()),
          customer_id: customer.id,
          amount: input.amount,
          reason: input.reason,
          ticket_ref: input.ticket_ref,
          expected: input.expected,
          received: input.received,
          note: input.note ?? null,
          customer_asset_urls: JSON.stringify(input.customer_asset_urls ?? []),
          evidence: JSON.stringify(evidence),
          requested_by: requester.id,
          status,
          decided_by: null, decided_at: null, decision_reason: null,
          voided_by: null, voided_at: null, void_reason: null,
          transaction_id: null, void_transaction_id: null,
          idempotency_key: idempotencyKey,
          created_at: now,
        };
        credits.insert(row, input.items);
        const actor = staffActor(requester);
        audit.record({
          actor, action: 'credit.requested', entityType: 'credit', entityId: row.id, customerId: customer.id,
          after: { status, amount: input.amount, reason: input.reason, ticket_ref: input.ticket_ref, items: input.items, evidence },
          origin,
        });
        if (status === 'applied') {
          const entry = ledger.post({
            customerId: customer.id, kind: 'manual_credit', amount: input.amount, creditId: row.id,
            chatId: chatIds.length === 1 ? chatIds[0] : null,
            generationId: runs.length === 1 ? runs[0].generation_id : null,
            tool: tools.length === 1 ? tools[0] : null,
          });
          credits.linkTransaction(row.id, entry.id);
          audit.record({
            actor, action: 'credit.applied', entityType: 'credit', entityId: row.id, customerId: customer.id,
            before: { balance: balanceBefore }, after: { balance: entry.balance_after, transaction_id: entry.id }, origin,
          });
        }
        const result = record(row.id);
        const httpStatus = status === 'applied' ? 201 : 202;
        idempotency.insert({ staff_id: requester.id, key: idempotencyKey, body_hash: bodyHash, status_code: httpStatus, response: JSON.stringify(result), created_at: now });
        return { status: httpStatus, record: result, replayed: false };
      })
      .immediate();
  }

  function approve(id: string, approver: Requester, origin: RequestOrigin): CreditRecord {
    return db
      .transaction(() => {
        const credit = credits.byId(id);
        if (!credit) throw new NotFound('Credit', id);
        if (credit.status !== 'pending_approval') throw creditConflict('not_pending', `Credit ${id} is ${credit.status}, not waiting for approval.`);
        if (credit.requested_by === approver.id) throw creditConflict('self_approval', 'You requested this credit: another lead or admin must approve it.');
        const items = credits.items(id);
        const cutoff = graceCutoff();
        const requested = new Map(items.map((item) => [item.generation_id, item.tokens]));
        const runs = items.map((item) => {
          const row = eligibilityRepo.run(item.generation_id, cutoff);
          if (!row) throw new NotFound('Run', item.generation_id);
          return judgeRunSync(row, eligibilityRepo, item.tokens);
        });
        const blocked = runs.filter((run) => run.eligible_tokens < (requested.get(run.generation_id) ?? 0));
        if (blocked.length > 0) throw notEligible(blocked, requested);

        const now = isoNow(clock);
        credits.decide({ id, status: 'applied', decided_by: approver.id, decided_at: now, decision_reason: null });
        const balanceBefore = ledger.balanceOf(credit.customer_id);
        const chatIds = [...new Set(runs.map((run) => run.chat_id))];
        const tools = [...new Set(runs.map((run) => run.tool))];
        const entry = ledger.post({
          customerId: credit.customer_id, kind: 'manual_credit', amount: credit.amount, creditId: id,
          chatId: chatIds.length === 1 ? chatIds[0] : null,
          generationId: runs.length === 1 ? runs[0].generation_id : null,
          tool: tools.length === 1 ? tools[0] : null,
        });
        credits.linkTransaction(id, entry.id);
        audit.record({
          actor: staffActor(approver), action: 'credit.approved', entityType: 'credit', entityId: id, customerId: credit.customer_id,
          before: { status: credit.status, balance: balanceBefore },
          after: { status: 'applied', balance: entry.balance_after, transaction_id: entry.id, runs: runs.map((r) => ({ generation_id: r.generation_id, refund_state: r.refund_state })) },
          origin,
        });
        return record(id);
      })
      .immediate();
  }

  function reject(id: string, reason: string, actor: Requester, origin: RequestOrigin): CreditRecord {
    return db
      .transaction(() => {
        const credit = credits.byId(id);
        if (!credit) throw new NotFound('Credit', id);
        if (credit.status !== 'pending_approval') throw creditConflict('not_pending', `Credit ${id} is ${credit.status}, not waiting for approval.`);
        reversals.rejectPending(credit, staffActor(actor), reason, origin);
        return record(id);
      })
      .immediate();
  }

  function voidCredit(id: string, reason: string, actor: Requester, origin: RequestOrigin): CreditRecord {
    return db
      .transaction(() => {
        const credit = credits.byId(id);
        if (!credit) throw new NotFound('Credit', id);
        if (credit.status !== 'applied') throw creditConflict('not_applied', `Credit ${id} is ${credit.status}: only an applied credit can be voided.`);
        reversals.voidApplied(credit, staffActor(actor), reason, origin);
        return record(id);
      })
      .immediate();
  }

  /** Forgets idempotency keys older than `hours` (docs/api.md keeps them at least 24 hours). */
  const purgeIdempotencyKeys = (hours: number): number =>
    idempotency.purgeOlderThan(new Date(clock().getTime() - hours * 3_600_000).toISOString());

  return { record, eligibility, request, approve, reject, voidCredit, purgeIdempotencyKeys };
}
export type SyncCreditService = ReturnType<typeof createSyncCreditService>;
