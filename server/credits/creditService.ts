import { creditRepository, type CreditItemRow, type CreditRow } from '../../db/repositories/creditRepository.ts';
import { customerRepository } from '../../db/repositories/customerRepository.ts';
import { eligibilityRepository } from '../../db/repositories/eligibilityRepository.ts';
import { idempotencyRepository, type IdempotencyRow } from '../../db/repositories/idempotencyRepository.ts';
import { ledgerRepository } from '../../db/repositories/ledgerRepository.ts';
import { policyRepository, type PolicyRow } from '../../db/repositories/policyRepository.ts';
import type { Queryable, Storage, Transaction } from '../../db/storage/types.ts';
import type { CreditRecord, CreditRequest, Eligibility, Policy, RunEligibility } from '../../shared/credits.ts';
import { approvalReasons, changedAmounts, reasonMismatch } from '../../shared/creditRules.ts';
import type { AuditInput, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { NotFound, ValidationFailed } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { cutoffUnder, graceCutoff } from '../ledger/refundState.ts';
import { creditConflict, notEligible, staffActor, type CreditAnswer, type Requester } from './creditAnswers.ts';
import { notApplied, notPending, type CreditReversals } from './creditReversals.ts';
import { rowToCredit } from './creditRecord.ts';
import { judgeRun } from './eligibility.ts';

export { hashRequestBody, type CreditAnswer, type Requester } from './creditAnswers.ts';

/** The policy as the credit rules read it (shared/creditRules.ts). */
const policyOf = (row: PolicyRow): Policy => ({
  approval_threshold: row.approval_threshold,
  agent_daily_limit: row.agent_daily_limit,
  lead_approval_threshold: row.lead_approval_threshold,
  goodwill_requires_approval: row.goodwill_requires_approval === 1,
  refund_grace_minutes: row.refund_grace_minutes,
});

/** The engine's code of a database error (PostgreSQL's SQLSTATE, SQLite's SQLITE_…), else ''. */
const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** A unique key refused the write (PostgreSQL 23505; SQLite's UNIQUE and PRIMARY KEY). */
const isUniqueViolation = (error: unknown): boolean =>
  ['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(errorCode(error));

/** Any constraint or trigger refused the write (PostgreSQL's class 23, SQLite's SQLITE_CONSTRAINT_*). */
const isConstraintRefusal = (error: unknown): boolean => /^(23|SQLITE_CONSTRAINT)/.test(errorCode(error));

/** What a key already used answers: its first reply again, or a 409 when the body differs. */
function replay(previous: IdempotencyRow, bodyHash: string): CreditAnswer {
  if (previous.body_hash !== bodyHash) {
    throw creditConflict('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body. Use a new key for a new credit.');
  }
  return { status: previous.status_code as 201 | 202, record: JSON.parse(previous.response) as CreditRecord, replayed: true };
}

/** The runs that cannot return the tokens asked of them. */
const blockedRuns = (runs: RunEligibility[], requested: Map<string, number>): RunEligibility[] =>
  runs.filter((run) => run.eligible_tokens < (requested.get(run.generation_id) ?? 0));

/** The ledger entry's run, chat and tool, when the grant's runs share one. */
function entryContext(runs: RunEligibility[]): { chatId: string | null; generationId: string | null; tool: string | null } {
  const chatIds = [...new Set(runs.map((run) => run.chat_id))];
  const tools = [...new Set(runs.map((run) => run.tool))];
  return {
    chatId: chatIds.length === 1 ? chatIds[0] : null,
    generationId: runs.length === 1 ? runs[0].generation_id : null,
    tool: tools.length === 1 ? tools[0] : null,
  };
}

/**
 * Manual credits: requests under the credit policy, approvals (four eyes),
 * rejections and voids. Every change is one storage transaction with its
 * ledger entry and audit event; the database's own constraints stand behind
 * every check made here. On PostgreSQL each change locks what it decides on,
 * in the order of docs/postgres.md (idempotency key, credit, customer, runs by
 * id, day totals, audit chain), so that two instances answer as SQLite's one
 * writer does.
 */
function createSeamCreditService(storage: Storage, ledger: Ledger, reversals: CreditReversals, audit: AuditLog, clock: Clock) {
  /**
   * The grant as the API shows it. `uncountedTokens`: what this transaction's own new grant will
   * add to its requester's day total when its deferred trigger fires (PostgreSQL's migration 009;
   * SQLite's has fired already) — the day's tokens shown count it, as they will once committed.
   */
  async function viewOn(q: Queryable, id: string, { uncountedTokens = 0 } = {}): Promise<CreditRecord> {
    const row = await creditRepository.viewById(q, id);
    if (!row) throw new NotFound('Credit', id);
    return rowToCredit({ ...row, agent_day_tokens: row.agent_day_tokens + uncountedTokens });
  }

  const record = (id: string): Promise<CreditRecord> => viewOn(storage, id);

  async function eligibility(generationIds: string[]): Promise<Eligibility> {
    const cutoff = await graceCutoff(storage, clock);
    const runs: RunEligibility[] = [];
    for (const id of generationIds) {
      const row = await eligibilityRepository.run(storage, id, cutoff);
      if (!row) throw new NotFound('Run', id);
      runs.push(await judgeRun(storage, row));
    }
    return { runs, suggested_total: runs.reduce((sum, run) => sum + run.eligible_tokens, 0) };
  }

  /** The requested runs judged on `tx` under the grace `cutoff`, in item order: the first unknown run or another customer's is the 400. */
  async function judgeRequested(tx: Transaction, customerId: string, items: CreditRequest['items'], cutoff: string): Promise<RunEligibility[]> {
    const runs: RunEligibility[] = [];
    for (const [index, item] of items.entries()) {
      const row = await eligibilityRepository.run(tx, item.generation_id, cutoff);
      if (!row) throw new ValidationFailed({ [`items.${index}.generation_id`]: `no run ${item.generation_id}` });
      if (row.customer_id !== customerId) throw new ValidationFailed({ [`items.${index}.generation_id`]: `run ${item.generation_id} belongs to another customer` });
      runs.push(await judgeRun(tx, row));
    }
    return runs;
  }

  /** Why a credit must wait for a lead (shared/creditRules.ts), under the policy and the requester's credits so far today. */
  async function waitReasons(tx: Transaction, input: CreditRequest, requester: Requester, policy: Policy): Promise<string[]> {
    const today = requester.role === 'agent' ? await eligibilityRepository.dailyTotalForDecision(tx, requester.id, isoNow(clock).slice(0, 10)) : null;
    return approvalReasons(input, requester, policy, today);
  }

  /**
   * Stores the grant and its items. Its runs are locked and judged already; should the database
   * still refuse the items (a grant over the same runs committed meanwhile, which the run locks
   * rule out), the runs are judged again and the answer is SQLite's 409, not a bare constraint error.
   */
  async function insertGrant(tx: Transaction, row: CreditRow, input: CreditRequest, requested: Map<string, number>, cutoff: string): Promise<void> {
    try {
      await tx.savepoint((inner) => creditRepository.insert(inner, row, input.items));
    } catch (error) {
      if (!isConstraintRefusal(error) || isUniqueViolation(error)) throw error;
      const blocked = blockedRuns(await judgeRequested(tx, row.customer_id, input.items, cutoff), requested);
      if (blocked.length > 0) throw notEligible(blocked, requested);
      throw error;
    }
  }

  async function requestIn(tx: Transaction, input: CreditRequest, idempotencyKey: string, bodyHash: string, requester: Requester, origin: RequestOrigin): Promise<CreditAnswer> {
    await idempotencyRepository.lockKey(tx, requester.id, idempotencyKey);
    const previous = await idempotencyRepository.find(tx, requester.id, idempotencyKey);
    if (previous) return replay(previous, bodyHash);
    const customer = await customerRepository.byIdForChange(tx, input.customer_id);
    if (!customer) throw new ValidationFailed({ customer_id: `no customer ${input.customer_id}` });

    const requested = new Map(input.items.map((item) => [item.generation_id, item.tokens]));
    await eligibilityRepository.lockRuns(tx, [...requested.keys()]);
    // Read once, shared until the COMMIT: the runs are judged and the wait decided under one policy.
    const policyRow = await policyRepository.getForDecision(tx);
    const cutoff = cutoffUnder(policyRow, clock);
    const runs = await judgeRequested(tx, customer.id, input.items, cutoff);
    // Eligibility first: a run with nothing left answers 409 whatever the reason.
    const blocked = blockedRuns(runs, requested);
    if (blocked.length > 0) throw notEligible(blocked, requested);
    const mismatch = reasonMismatch(input.reason, runs);
    if (mismatch) throw new ValidationFailed({ reason: mismatch });
    const differs = changedAmounts(input.items, runs);
    if (differs.length > 0 && !input.note) {
      throw new ValidationFailed({ note: `explain why the amount differs from the suggested ${differs.map((d) => d.suggested).join(' + ')} tokens` });
    }

    const reasons = await waitReasons(tx, input, requester, policyOf(policyRow));
    const status = reasons.length > 0 ? 'pending_approval' : 'applied';
    const now = isoNow(clock);
    const balanceBefore = customer.balance;
    const context = entryContext(runs);
    const evidence = {
      chat_ids: [...new Set(runs.map((run) => run.chat_id))],
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
    await insertGrant(tx, row, input, requested, cutoff);
    const actor = staffActor(requester);
    const events: AuditInput[] = [{
      actor, action: 'credit.requested', entityType: 'credit', entityId: row.id, customerId: customer.id,
      after: { status, amount: input.amount, reason: input.reason, ticket_ref: input.ticket_ref, items: input.items, evidence },
      origin,
    }];
    if (status === 'applied') {
      const items = input.items
        .map((item) => ({ credit_id: row.id, generation_id: item.generation_id, tokens: item.tokens }))
        .sort((a, b) => Buffer.compare(Buffer.from(a.generation_id), Buffer.from(b.generation_id)));
      // The customer's row has been locked since it was read: its balance is still the one read.
      const entry = await ledger.append(tx, {
        customerId: customer.id, kind: 'manual_credit', amount: input.amount, creditId: row.id, ...context,
        balanceBefore, credit: { row, items },
      });
      await creditRepository.linkTransaction(tx, row.id, entry.id);
      events.push({
        actor, action: 'credit.applied', entityType: 'credit', entityId: row.id, customerId: customer.id,
        before: { balance: balanceBefore }, after: { balance: entry.balance_after, transaction_id: entry.id }, origin,
      });
    }
    const result = await viewOn(tx, row.id, { uncountedTokens: tx.engine === 'postgres' ? row.amount : 0 });
    const httpStatus = status === 'applied' ? 201 : 202;
    await idempotencyRepository.insert(tx, { staff_id: requester.id, key: idempotencyKey, body_hash: bodyHash, status_code: httpStatus, response: JSON.stringify(result), created_at: now });
    // Last: the requester's day total, then the audit chain (the lock order; one call on PostgreSQL), each held from here to the COMMIT.
    await audit.appendAll(tx, events);
    return { status: httpStatus, record: result, replayed: false };
  }

  /**
   * A credit request under its idempotency key. Requests arriving together share one commit on
   * SQLite (db/storage/sqliteStorage.ts). Should the key's unique index refuse this one, the same
   * request committed first elsewhere: its reply is this one's (or the key's 409).
   */
  async function request(input: CreditRequest, idempotencyKey: string, bodyHash: string, requester: Requester, origin: RequestOrigin): Promise<CreditAnswer> {
    try {
      return await storage.transaction((tx) => requestIn(tx, input, idempotencyKey, bodyHash, requester, origin));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const previous = await idempotencyRepository.find(storage, requester.id, idempotencyKey);
      if (!previous) throw error;
      return replay(previous, bodyHash);
    }
  }

  const approve = (id: string, approver: Requester, origin: RequestOrigin): Promise<CreditRecord> =>
    storage.transaction(async (tx) => {
      const credit = await creditRepository.byIdForChange(tx, id);
      if (!credit) throw new NotFound('Credit', id);
      if (credit.status !== 'pending_approval') throw notPending(credit);
      if (credit.requested_by === approver.id) throw creditConflict('self_approval', 'You requested this credit: another lead or admin must approve it.');
      const balanceBefore = await ledgerRepository.balanceForPosting(tx, credit.customer_id);
      const items = await creditRepository.items(tx, id);
      const runs = await judgeOwnRuns(tx, items);
      const requested = new Map(items.map((item) => [item.generation_id, item.tokens]));
      const blocked = blockedRuns(runs, requested);
      if (blocked.length > 0) throw notEligible(blocked, requested);

      const now = isoNow(clock);
      if (!(await creditRepository.decide(tx, { id, status: 'applied', decided_by: approver.id, decided_at: now, decision_reason: null }))) {
        throw notPending((await creditRepository.byId(tx, id)) ?? credit);
      }
      const entry = await ledger.append(tx, { customerId: credit.customer_id, kind: 'manual_credit', amount: credit.amount, creditId: id, ...entryContext(runs) });
      await creditRepository.linkTransaction(tx, id, entry.id);
      await audit.append(tx, {
        actor: staffActor(approver), action: 'credit.approved', entityType: 'credit', entityId: id, customerId: credit.customer_id,
        before: { status: credit.status, balance: balanceBefore },
        after: { status: 'applied', balance: entry.balance_after, transaction_id: entry.id, runs: runs.map((r) => ({ generation_id: r.generation_id, refund_state: r.refund_state })) },
        origin,
      });
      return viewOn(tx, id);
    });

  /** A pending grant's runs, locked and judged with its own reservation left out. */
  async function judgeOwnRuns(tx: Transaction, items: CreditItemRow[]): Promise<RunEligibility[]> {
    await eligibilityRepository.lockRuns(tx, items.map((item) => item.generation_id));
    const cutoff = await graceCutoff(tx, clock);
    const runs: RunEligibility[] = [];
    for (const item of items) {
      const row = await eligibilityRepository.run(tx, item.generation_id, cutoff);
      if (!row) throw new NotFound('Run', item.generation_id);
      runs.push(await judgeRun(tx, row, item.tokens));
    }
    return runs;
  }

  const reject = (id: string, reason: string, actor: Requester, origin: RequestOrigin): Promise<CreditRecord> =>
    storage.transaction(async (tx) => {
      const credit = await creditRepository.byIdForChange(tx, id);
      if (!credit) throw new NotFound('Credit', id);
      if (credit.status !== 'pending_approval') throw notPending(credit);
      await reversals.rejectPendingIn(tx, credit, staffActor(actor), reason, origin);
      return viewOn(tx, id);
    });

  const voidCredit = (id: string, reason: string, actor: Requester, origin: RequestOrigin): Promise<CreditRecord> =>
    storage.transaction(async (tx) => {
      const credit = await creditRepository.byIdForChange(tx, id);
      if (!credit) throw new NotFound('Credit', id);
      if (credit.status !== 'applied') throw notApplied(credit);
      await reversals.voidAppliedIn(tx, credit, staffActor(actor), reason, origin);
      return viewOn(tx, id);
    });

  /** Forgets idempotency keys older than `hours` (docs/api.md keeps them at least 24 hours). */
  const purgeIdempotencyKeys = (hours: number): Promise<number> =>
    storage.transaction((tx) => idempotencyRepository.purgeOlderThan(tx, new Date(clock().getTime() - hours * 3_600_000).toISOString()));

  return { record, eligibility, request, approve, reject, voidCredit, purgeIdempotencyKeys };
}
export type CreditService = ReturnType<typeof createSeamCreditService>;

/** The credit service on the storage seam. */
export function createCreditService(storage: Storage, ledger: Ledger, reversals: CreditReversals, audit: AuditLog, clock: Clock): CreditService {
  return createSeamCreditService(storage, ledger, reversals, audit, clock);
}
