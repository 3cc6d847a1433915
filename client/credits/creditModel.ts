import { HttpError } from 'react-admin';
import {
  succeededRunReasons,
  type BlockedBy,
  type CreditReason,
  type CreditRecord,
  type CreditRequest,
  type CreditStatus,
  type Policy,
  type RunEligibility,
} from '../../shared/credits.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { formatDateTime, formatTokenCount } from '../display/format.ts';
import { parseWallTime, zonedWallTimeToUtc } from '../display/zonedTime.ts';

/**
 * The rules of a credit as the console applies them before asking the server. They mirror
 * docs/domain.md so an agent sees a mistake before submitting; the server judges again and its answer
 * is the one that counts.
 */

const creditReasonLabels: Record<CreditReason, string> = {
  off_prompt: 'Off prompt',
  visual_artifacts: 'Visual artifacts',
  wrong_format_or_length: 'Wrong format or length',
  safety_false_positive: 'Safety filter false positive',
  duplicate_run: 'Duplicate run',
  missed_auto_refund: 'Missed auto-refund',
  goodwill: 'Goodwill',
  other: 'Other',
};

export const creditReasonLabel = (reason: string): string =>
  (creditReasonLabels as Record<string, string | undefined>)[reason] ?? reason.replaceAll('_', ' ');

/** How a credit's status reads on screen: words, with a colour that repeats them. */
interface StatusPresentation {
  label: string;
  colour: 'warning' | 'success' | 'default' | 'error';
}

const creditStatusPresentations: Record<CreditStatus, StatusPresentation> = {
  pending_approval: { label: 'Waiting for approval', colour: 'warning' },
  applied: { label: 'Applied', colour: 'success' },
  rejected: { label: 'Rejected', colour: 'default' },
  voided: { label: 'Voided', colour: 'error' },
};

export const creditStatusPresentation = (status: string): StatusPresentation =>
  (creditStatusPresentations as Record<string, StatusPresentation | undefined>)[status] ?? { label: status.replaceAll('_', ' '), colour: 'default' };

/** The runs a credit can cover: those with tokens left to return. The rest are shown, not sent. */
export const creditableRuns = (runs: RunEligibility[]): RunEligibility[] => runs.filter(run => run.eligible_tokens > 0);

/**
 * The reasons that suit every run of a credit (docs/domain.md): goodwill for a credit with no runs,
 * missed_auto_refund when every run is a failed run whose auto-refund is missing, the run reasons
 * when every run succeeded. Runs of both kinds fit no single reason: they need two credits.
 */
export const availableReasons = (runs: RunEligibility[]): CreditReason[] => {
  if (runs.length === 0) return ['goodwill'];
  if (runs.every(run => run.refund_state === 'refund_missing')) return ['missed_auto_refund'];
  if (runs.every(run => run.status === 'succeeded' && run.refund_state !== 'refund_missing')) return [...succeededRunReasons];
  return [];
};

/** Why no reason fits `runs`, in words, or null when one does. */
export const noReasonExplanation = (runs: RunEligibility[]): string | null => {
  if (availableReasons(runs).length > 0) return null;
  const missing = runs.filter(run => run.refund_state === 'refund_missing').length;
  if (missing > 0) {
    return 'These runs mix failed runs whose auto-refund is missing with other runs. No single reason covers both: credit the failed runs (reason “Missed auto-refund”) and the others in two separate credits.';
  }
  return 'A failed run that was already partly credited cannot be credited further with any reason. Ask a lead if the customer is still owed tokens.';
};

/**
 * What the credit form holds. `amount` is typed only for a goodwill credit (no runs); with runs the
 * amount is the sum of their tokens. `asset_links` is one https link per line.
 */
export interface CreditFormValues {
  items: { generation_id: string; tokens: number | null }[];
  amount: number | null;
  reason: CreditReason | '';
  ticket_ref: string;
  expected: string;
  received: string;
  note: string;
  asset_links: string;
}

/** A fresh form for `runs` (the creditable ones): each run at its suggested amount, the reason chosen when only one fits. */
export const initialCreditValues = (runs: RunEligibility[]): CreditFormValues => {
  const reasons = availableReasons(runs);
  return {
    items: runs.map(run => ({ generation_id: run.generation_id, tokens: run.eligible_tokens })),
    amount: null,
    reason: reasons.length === 1 ? reasons[0] : '',
    ticket_ref: '',
    expected: '',
    received: '',
    note: '',
    asset_links: '',
  };
};

const isWholeTokens = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** The credit's total: the sum of the runs' tokens (ignoring what is not a positive whole number yet), or the goodwill amount. */
export const creditTotal = (values: Pick<CreditFormValues, 'items' | 'amount'>): number =>
  values.items.length === 0
    ? isWholeTokens(values.amount) ? values.amount : 0
    : values.items.reduce((total, item) => total + (isWholeTokens(item.tokens) ? item.tokens : 0), 0);

/** The runs whose tokens differ from the suggestion (what is left to return): each needs a word in the note. */
const amountsDiffering = (items: CreditFormValues['items'], runs: RunEligibility[]) =>
  items.flatMap(item => {
    const run = runs.find(candidate => candidate.generation_id === item.generation_id);
    return run && item.tokens !== run.eligible_tokens ? [{ generation_id: item.generation_id, suggested: run.eligible_tokens, requested: item.tokens }] : [];
  });

/** Whether the note is required, and the words shown next to it saying so. */
export const noteRequirement = (values: Pick<CreditFormValues, 'items' | 'reason'>, runs: RunEligibility[]): { required: boolean; hint: string } => {
  if (values.reason === 'other') return { required: true, hint: 'Required: the reason is “Other”, so say what happened.' };
  const differing = amountsDiffering(values.items, runs);
  if (differing.length > 0) {
    const suggested = differing.map(d => `${formatTokenCount(d.suggested)} for ${d.generation_id}`).join(', ');
    return { required: true, hint: `Required: the amount differs from the suggestion (${suggested}), so say why.` };
  }
  return { required: false, hint: 'Optional. Internal: the customer never sees it.' };
};

/** The non-blank lines of the asset-links field. */
const assetLinks = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(Boolean);

const isHttpsLink = (value: string): boolean => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};

type FormErrors = Partial<Record<keyof CreditFormValues, unknown>>;

const requiredText = (value: string, max: number): string | undefined => {
  const text = value.trim();
  if (!text) return 'Required';
  if (text.length > max) return `At most ${max} characters (${text.length} now)`;
  return undefined;
};

/** The runs (their eligibility) that the form's items cover. */
export const coveredRuns = (items: CreditFormValues['items'], runs: RunEligibility[]): RunEligibility[] =>
  items.flatMap(item => runs.filter(run => run.generation_id === item.generation_id));

/**
 * Record-level validation of the credit form (react-admin's `validate`): an object shaped like the
 * form. `runs` is the latest eligibility of every selected run; `goodwill` a credit with no runs.
 */
export const validateCreditForm = (values: CreditFormValues, runs: RunEligibility[], goodwill = false): FormErrors => {
  const errors: FormErrors = {};
  const itemErrors = values.items.map(item => {
    const run = runs.find(candidate => candidate.generation_id === item.generation_id);
    if (run && run.eligible_tokens === 0) return { tokens: 'Nothing is left to return for this run: leave it out' };
    if (item.tokens == null || Number.isNaN(item.tokens)) return { tokens: 'Required: a whole number of tokens' };
    if (!isWholeTokens(item.tokens)) return { tokens: 'Must be a whole number of tokens, 1 or more' };
    if (run && item.tokens > run.eligible_tokens) return { tokens: `At most ${formatTokenCount(run.eligible_tokens)}: what is left to return for this run` };
    return {};
  });
  if (itemErrors.some(error => Object.keys(error).length > 0)) errors.items = itemErrors;
  if (!goodwill && values.items.length === 0) errors.items = 'Keep at least one run in the credit';
  if (goodwill) {
    if (values.amount == null || Number.isNaN(values.amount)) errors.amount = 'Required: a whole number of tokens';
    else if (!isWholeTokens(values.amount)) errors.amount = 'Must be a whole number of tokens, 1 or more';
    else if (values.amount > 1_000_000_000) errors.amount = 'At most 1,000,000,000 tokens';
  }

  const reasons = availableReasons(coveredRuns(values.items, runs));
  if (!values.reason) errors.reason = 'Required: choose the reason';
  else if (!reasons.includes(values.reason)) errors.reason = `“${creditReasonLabel(values.reason)}” does not suit these runs`;

  const ticket = requiredText(values.ticket_ref, 100);
  if (ticket) errors.ticket_ref = ticket;
  const expected = requiredText(values.expected, 4000);
  if (expected) errors.expected = expected;
  const received = requiredText(values.received, 4000);
  if (received) errors.received = received;

  const note = values.note.trim();
  if (note.length > 4000) errors.note = `At most 4000 characters (${note.length} now)`;
  else if (!note && noteRequirement(values, runs).required) errors.note = noteRequirement(values, runs).hint;

  const links = assetLinks(values.asset_links);
  const badLine = links.findIndex(link => !isHttpsLink(link) || link.length > 2048);
  if (badLine >= 0) errors.asset_links = `Link ${badLine + 1} is not an https:// link`;
  else if (links.length > 20) errors.asset_links = 'At most 20 links';
  return errors;
};

/** The `POST /api/credits` body for valid form values. */
export const buildCreditRequest = (values: CreditFormValues, customerId: string): CreditRequest => {
  const items = values.items.map(item => ({ generation_id: item.generation_id, tokens: item.tokens ?? 0 }));
  const links = assetLinks(values.asset_links);
  const note = values.note.trim();
  return {
    customer_id: customerId,
    items,
    amount: creditTotal(values),
    reason: values.reason as CreditReason,
    ticket_ref: values.ticket_ref.trim(),
    expected: values.expected.trim(),
    received: values.received.trim(),
    ...(note ? { note } : {}),
    ...(links.length > 0 ? { customer_asset_urls: links } : {}),
  };
};

/** What the console can tell before sending: whether the credit applies at once or waits for a lead. */
export interface ApprovalForecast {
  outcome: 'applies' | 'waits' | 'unsure';
  /** Why it waits (or why the console cannot tell). */
  reasons: string[];
}

/**
 * The credit policy's verdict as far as the console knows it (the server's `approvalReasons`).
 * `todayTotal` is what the agent already credited today (UTC, applied and pending), null when unknown.
 */
export const forecastApproval = (
  policy: Policy | null | undefined,
  request: { role: Role; amount: number; reason: CreditReason | '' },
  todayTotal: number | null,
): ApprovalForecast => {
  if (!policy) return { outcome: 'unsure', reasons: ['The credit policy could not be loaded: the server will say whether it applies at once.'] };
  const reasons: string[] = [];
  if (request.reason === 'goodwill' && policy.goodwill_requires_approval) reasons.push('Goodwill credits wait for a lead’s approval.');
  let unsure: string | null = null;
  if (request.role === 'agent') {
    if (request.amount > policy.approval_threshold) {
      reasons.push(`${formatTokenCount(request.amount)} is above the approval threshold of ${formatTokenCount(policy.approval_threshold)}.`);
    }
    if (todayTotal == null) {
      unsure = `Your credits today (UTC) could not be counted: if they pass the daily limit of ${formatTokenCount(policy.agent_daily_limit)}, it waits for approval.`;
    } else if (todayTotal + request.amount > policy.agent_daily_limit) {
      reasons.push(`It takes your credits today (UTC) to ${formatTokenCount(todayTotal + request.amount)}, above the daily limit of ${formatTokenCount(policy.agent_daily_limit)}.`);
    }
  } else if (request.amount > policy.lead_approval_threshold) {
    reasons.push(`${formatTokenCount(request.amount)} is above the ${formatTokenCount(policy.lead_approval_threshold)} limit for a lead’s or admin’s own credits.`);
  }
  if (reasons.length > 0) return { outcome: 'waits', reasons };
  if (unsure) return { outcome: 'unsure', reasons: [unsure] };
  return { outcome: 'applies', reasons: [] };
};

/** The sum the daily limit counts: credits requested today (UTC) that are applied or pending. */
export const dailyCreditTotal = (credits: Pick<CreditRecord, 'amount' | 'status'>[]): number =>
  credits.filter(credit => credit.status === 'applied' || credit.status === 'pending_approval').reduce((sum, credit) => sum + credit.amount, 0);

/** The start of the UTC day of `now`, as the daily limit counts days. */
export const utcDayStart = (now: Date): string => `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;

/** What a lead or admin may do with `credit` (the server refuses the rest anyway). */
export const creditPermissions = (credit: Pick<CreditRecord, 'status' | 'requested_by'>, role: Role | undefined, userId: string | number | undefined) => {
  const decides = role != null && isLeadOrAdmin(role);
  const ownRequest = userId != null && credit.requested_by === String(userId);
  return {
    ownRequest,
    /** Four eyes: never the requester, so not before it is known who is signed in. */
    canApprove: decides && userId != null && credit.status === 'pending_approval' && !ownRequest,
    /** The requester's own rejection is a withdrawal. */
    canReject: decides && credit.status === 'pending_approval',
    canVoid: decides && credit.status === 'applied',
  };
};

/** What stands in the way of a run, in words: the entry or credit and its date (viewer's time zone unless told). */
export const describeBlockedBy = (blocked: Pick<BlockedBy, 'kind' | 'id' | 'created_at'>, timeZone?: string): string => {
  const when = formatDateTime(blocked.created_at, timeZone);
  switch (blocked.kind) {
    case 'auto_refund':
      return `Already auto-refunded by ledger entry ${blocked.id} on ${when}`;
    case 'manual_credit':
      return `Already credited by ledger entry ${blocked.id} on ${when}`;
    case 'pending_credit':
      return `Held by credit ${blocked.id}, waiting for approval since ${when}`;
  }
};

/** A 409 answer's run in the way, as the API names it. */
export interface BlockedRun extends BlockedBy {
  generation_id: string;
}

/** What a failed credit request means for the form. */
export type CreditFailure =
  /** 400: field errors, placed on the form's fields where it has one, listed otherwise. */
  | { kind: 'invalid'; message: string; fieldErrors: [string, string][]; otherErrors: string[] }
  /** 409: runs not eligible (any more). */
  | { kind: 'blocked'; message: string; blocked: BlockedRun[]; runs: { generation_id: string; refund_state: string; eligible_tokens: number; message: string | null }[] }
  /** 409: the key was used for another body: an earlier attempt of this form may have been recorded. */
  | { kind: 'key_reused'; message: string }
  /** No answer: the credit may or may not have been recorded; retrying with the same key is safe. */
  | { kind: 'network'; message: string }
  | { kind: 'refused'; status: number; message: string };

const sentenceCase = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

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
const placeServerErrors = (
  errors: Record<string, string>,
  goodwill: boolean,
): { fieldErrors: [string, string][]; otherErrors: string[] } => {
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

const bodyOf = (error: HttpError): Record<string, unknown> => (typeof error.body === 'object' && error.body !== null ? (error.body as Record<string, unknown>) : {});

/** Reads a rejected `requestCredit` call (`goodwill`: the form has an amount field). */
export const readCreditFailure = (error: unknown, goodwill = false): CreditFailure => {
  if (!(error instanceof HttpError)) {
    return {
      kind: 'network',
      message: 'Token Desk did not answer, so the credit may or may not have been recorded. “Try again” sends the very same request: it cannot be applied twice.',
    };
  }
  const body = bodyOf(error);
  const message = typeof body.message === 'string' && body.message ? body.message : error.message || `The server refused the credit (HTTP ${error.status}).`;
  if (error.status === 400 && typeof body.errors === 'object' && body.errors !== null) {
    const { fieldErrors, otherErrors } = placeServerErrors(body.errors as Record<string, string>, goodwill);
    return { kind: 'invalid', message, fieldErrors, otherErrors };
  }
  if (error.status === 409 && body.code === 'idempotency_key_reused') {
    return {
      kind: 'key_reused',
      message:
        'An earlier attempt of this credit reached the server before the connection dropped, with other details. Check the customer’s credits before crediting again: reload this page to start a new request.',
    };
  }
  if (error.status === 409 && (Array.isArray(body.blocked_by) || Array.isArray(body.runs))) {
    return {
      kind: 'blocked',
      message,
      blocked: Array.isArray(body.blocked_by) ? (body.blocked_by as BlockedRun[]) : [],
      runs: Array.isArray(body.runs) ? (body.runs as Extract<CreditFailure, { kind: 'blocked' }>['runs']) : [],
    };
  }
  return { kind: 'refused', status: error.status, message };
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

/**
 * The instant a date filter means: the start (`gte`) or the last millisecond (`lte`) of calendar
 * day `day` ("YYYY-MM-DD") on the clocks of `timeZone`. Undefined for an empty or unreadable day.
 */
export const dayBoundInstant = (day: string, edge: 'gte' | 'lte', timeZone: string): string | undefined => {
  const wall = parseWallTime(day);
  if (!wall || day.includes('T')) return undefined;
  if (edge === 'gte') return zonedWallTimeToUtc(wall, timeZone).toISOString();
  const next = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  const nextWall = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0 };
  return new Date(zonedWallTimeToUtc(nextWall, timeZone).getTime() - 1).toISOString();
};

/** The calendar day ("YYYY-MM-DD") an instant falls on in `timeZone`: what a date filter input shows. */
export const dayOfInstant = (value: string | null | undefined, timeZone: string): string => {
  if (!value) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return '';
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
};

/** A run as the grant's evidence recorded it when the credit was requested. */
export interface EvidenceRun {
  generation_id: string;
  refund_state: string | null;
  status: string | null;
  tokens_charged: number | null;
  tokens_returned: number | null;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Reads a grant's evidence (free-form JSON from the server) without trusting its shape. */
export const readEvidence = (evidence: Record<string, unknown>): { balanceBefore: number | null; runs: EvidenceRun[] } => {
  const runs = Array.isArray(evidence.runs) ? evidence.runs : [];
  return {
    balanceBefore: numberOrNull(evidence.balance_before),
    runs: runs.flatMap(run => {
      if (typeof run !== 'object' || run === null) return [];
      const fields = run as Record<string, unknown>;
      const id = stringOrNull(fields.generation_id);
      return id
        ? [{ generation_id: id, refund_state: stringOrNull(fields.refund_state), status: stringOrNull(fields.status), tokens_charged: numberOrNull(fields.tokens_charged), tokens_returned: numberOrNull(fields.tokens_returned) }]
        : [];
    }),
  };
};
