/** What the credit service answers and refuses, shared by its seam and synchronous versions. */
import { createHash } from 'node:crypto';
import type { CreditConflictCode, CreditRecord, RunEligibility } from '../../shared/credits.ts';
import type { Role } from '../../shared/roles.ts';
import { canonicalJson } from '../audit/auditChain.ts';
import type { Actor } from '../audit/auditLog.ts';
import { Conflict } from '../errors.ts';

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
export const creditConflict = (code: CreditConflictCode, message: string, extra?: Record<string, unknown>): Conflict => new Conflict(code, message, extra);

export const staffActor = (person: { id: string; name: string }): Actor => ({ type: 'staff', id: person.id, name: person.name });

/** A 409 naming every run in the way and the entry or credit that blocks it (docs/api.md). */
export function notEligible(blocked: RunEligibility[], requested: Map<string, number>): Conflict {
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
