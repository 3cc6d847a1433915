import { createHash } from 'node:crypto';
import type { Db } from '../../db/connection.ts';
import { createCreditRepository, type CreditRow } from '../../db/repositories/creditRepository.ts';
import { createCustomerRepository } from '../../db/repositories/customerRepository.ts';
import { createEligibilityRepository } from '../../db/repositories/eligibilityRepository.ts';
import { createIdempotencyRepository } from '../../db/repositories/idempotencyRepository.ts';
import type { CreditConflictCode, CreditRecord, CreditRequest, Eligibility, RunEligibility } from '../../shared/credits.ts';
import { approvalReasons, changedAmounts, reasonMismatch } from '../../shared/creditRules.ts';
import type { Role } from '../../shared/roles.ts';
import { canonicalJson } from '../audit/auditChain.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';
import { Conflict, NotFound, ValidationFailed } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createGraceCutoff } from '../ledger/refundState.ts';
import { createPolicyService } from '../policy/policyService.ts';
import type { CreditReversals } from './creditReversals.ts';
import { rowToCredit } from './creditRecord.ts';
import { judgeRun } from './eligibility.ts';

export interface Requester {
  id: string;
  name: string;
  role: Role;
}

export interface CreditAnswer {
  status: 201 | 202;
  record: CreditRecord;
  replayed: boolean;
}

/** The hash an idempotency key is bound to: the body as sent, keys in canonical order. */
export const hashRequestBody = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('hex');

/** A 409 of the credit actions, its code one the client knows (shared/credits.ts). */
const creditConflict = (code: CreditConflictCode, message: string, extra?: Record<string, unknown>): Conflict => new Conflict(code, message, extra);

const staffActor = (person: { id: string; name: string }): Actor => ({ type: 'staff', id: person.id, name: person.name });

/** A 409 naming every run in the way and the entry or credit that blocks it (docs/api.md). */
function notEligible(blocked: RunEligibility[], requested: Map<string, number>): Conflict {
  const kinds = new Set(blocked.map((run) => run.blocked_by?.kind));
  const code: CreditConflictCode = kinds.size === 1 && kinds.has('auto_refund') ? 'already_refunded' : kinds.size === 1 && kinds.has('manual_credit') ? 'already_credited' : 'not_eligible';
  const first = blocked[0];
  const message = first.eligible_tokens > 0
    ? `Run ${first.generation_id} has only ${first.eligible_tokens} tokens left to return, not ${requested.get(first.generation_id)}.`
    : `Run ${first.generation_id} cannot be credited. ${first.message ?? ''}`.trim();
  return creditConflict(code, blocked.length > 1 ? `${message} (${blocked.length} runs are in the way.)` : message, {
    blocked_by: blocked.filter((run) => run.blocked_by).map((run) => ({ generation_id: run.generation_id, ...run.blocked_by })),
    runs: blocked.map((run) => ({ generation_id: run.generation_id, refund_state: run.refund_state, eligible_tokens: run.eligible_tokens, message: run.message ?? null })),
  });
}

/**
 * Manual credits: requests under the credit policy, approvals (four eyes),
 * rejections and voids. Every change is one BEGIN IMMEDIATE transaction with
 * its ledger entry and audit event; the database's own constraints stand
 * behind every check made here.
 */
export function createCreditService(db: Db, ledger: Ledger, reversals: CreditReversals, audit: AuditLog, clock: Clock) {
  const credits = createCreditRepository(db);
  const eligibilityRepo = createEligibilityRepository(db);
  const customers = createCustomerRepository(db);
  const idempotency = createIdempotencyRepository(db);
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
      return judgeRun(row, eligibilityRepo);
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
          return judgeRun(row, eligibilityRepo);
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
          return judgeRun(row, eligibilityRepo, item.tokens);
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
export type CreditService = ReturnType<typeof createCreditService>;
