import { approvalReasons } from '../../shared/creditRules.ts';
import type { BlockedBy, CreditConflictCode, CreditReason, Policy } from '../../shared/credits.ts';
import type { Role } from '../../shared/roles.ts';
import { readApiRefusal, sentenceCase } from '../apiErrors.ts';
import { formatTokenCount } from '../display/format.ts';

/**
 * Sending a credit: whether the policy will let it apply at once, the key that makes a retry
 * safe, and what a refusal means for the form.
 */

/** What the console can tell before sending: whether the credit applies at once or waits for a lead. */
export interface ApprovalForecast {
  outcome: 'applies' | 'waits' | 'unsure';
  /** Why it waits (or why the console cannot tell). */
  reasons: string[];
}

/**
 * The credit policy's verdict as far as the console knows it: the server's own rule
 * (shared/creditRules.ts `approvalReasons`). `todayTotal` is what the agent already credited today
 * (UTC, applied and pending), null when unknown.
 */
export const forecastApproval = (
  policy: Policy | null | undefined,
  request: { role: Role; amount: number; reason: CreditReason | '' },
  todayTotal: number | null,
): ApprovalForecast => {
  if (!policy) return { outcome: 'unsure', reasons: ['The credit policy could not be loaded: the server will say whether it applies at once.'] };
  const reasons = approvalReasons(request, { role: request.role }, policy, todayTotal);
  if (reasons.length > 0) return { outcome: 'waits', reasons };
  if (request.role === 'agent' && todayTotal == null) {
    return {
      outcome: 'unsure',
      reasons: [`Your credits today (UTC) could not be counted: if they pass the daily limit of ${formatTokenCount(policy.agent_daily_limit)}, it waits for approval.`],
    };
  }
  return { outcome: 'applies', reasons: [] };
};

/** A 409 answer's run in the way, as the API names it. */
export interface BlockedRun extends BlockedBy {
  generation_id: string;
}

/** A blocked run's standing as the 409 answer gives it. */
export interface RefusedRun {
  generation_id: string;
  refund_state: string;
  eligible_tokens: number;
}

/** What a failed credit request means for the form. */
export type CreditFailure =
  /** 400: field errors, placed on the form's fields where it has one, listed otherwise. */
  | { kind: 'invalid'; message: string; fieldErrors: [string, string][]; otherErrors: string[] }
  /** 409: runs not eligible (any more). Said from the runs' fields, not the server's sentence, so its dates read in the viewer's zone. */
  | { kind: 'blocked'; blocked: BlockedRun[]; runs: RefusedRun[] }
  /** 409: the key was used for another body: an earlier attempt of this form may have been recorded. */
  | { kind: 'key_reused'; message: string }
  /** No answer: the credit may or may not have been recorded; retrying with the same key is safe. */
  | { kind: 'network'; message: string }
  | { kind: 'refused'; status: number; message: string };

const blockingCodes: readonly CreditConflictCode[] = ['already_refunded', 'already_credited', 'not_eligible'];

const fieldLabels: Record<string, string> = {
  customer_id: 'Customer',
  amount: 'Total',
  items: 'Runs',
  'Idempotency-Key': 'Request key',
};

/**
 * Places the API's field errors (`note`, `items.0.tokens`, `customer_asset_urls.2`) on the form's
 * fields; `amount` has a field only in a goodwill credit (with runs it is their sum).
 */
const placeServerErrors = (errors: Record<string, string>, goodwill: boolean): { fieldErrors: [string, string][]; otherErrors: string[] } => {
  const fieldErrors: [string, string][] = [];
  const otherErrors: string[] = [];
  const fields = ['reason', 'ticket_ref', 'expected', 'received', 'note', ...(goodwill ? ['amount'] : [])];
  for (const [path, message] of Object.entries(errors)) {
    const link = /^customer_asset_urls(?:\.(\d+))?$/.exec(path);
    if (fields.includes(path) || /^items\.\d+\.tokens$/.test(path)) {
      fieldErrors.push([path, sentenceCase(message)]);
    } else if (link) {
      fieldErrors.push(['asset_links', link[1] ? `Link ${Number(link[1]) + 1}: ${message}` : sentenceCase(message)]);
    } else {
      const item = /^items\.(\d+)\.generation_id$/.exec(path);
      otherErrors.push(item ? `Run ${Number(item[1]) + 1}: ${message}` : `${fieldLabels[path] ?? path}: ${message}`);
    }
  }
  return { fieldErrors, otherErrors };
};

const listOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Reads a rejected `requestCredit` call (`goodwill`: the form has an amount field). */
export const readCreditFailure = (error: unknown, goodwill = false): CreditFailure => {
  const refusal = readApiRefusal(error);
  if (!refusal) {
    return {
      kind: 'network',
      message: 'Token Desk did not answer, so the credit may or may not have been recorded. “Try again” sends the very same request: it cannot be applied twice.',
    };
  }
  if (refusal.status === 400 && Object.keys(refusal.fieldErrors).length > 0) {
    return { kind: 'invalid', message: refusal.message, ...placeServerErrors(refusal.fieldErrors, goodwill) };
  }
  if (refusal.status === 409 && refusal.code === 'idempotency_key_reused') {
    return {
      kind: 'key_reused',
      message:
        'An earlier attempt of this credit reached the server before the connection dropped, with other details. Check the customer’s credits before crediting again: reload this page to start a new request.',
    };
  }
  if (refusal.status === 409 && (blockingCodes as readonly string[]).includes(refusal.code)) {
    return { kind: 'blocked', blocked: listOf<BlockedRun>(refusal.body.blocked_by), runs: listOf<RefusedRun>(refusal.body.runs) };
  }
  return { kind: 'refused', status: refusal.status, message: refusal.message };
};

/** A new Idempotency-Key: one per credit request, kept for every retry of it. */
export const newIdempotencyKey = (): string => {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only in secure contexts (https, localhost); a console served over plain
  // http on an intranet name still has getRandomValues.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map(byte => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
