import { creditLimits, isHttpsLink } from '../../shared/creditLimits.ts';
import { changedAmounts, suggestedReason } from '../../shared/creditRules.ts';
import { needsCustomerWords, type CreditReason, type CreditRequest, type RunEligibility } from '../../shared/credits.ts';
import { formatTokenCount } from '../display/format.ts';
import type { TicketContext } from '../lookup/ticketContext.ts';
import { creditReasonLabel } from './creditModel.ts';
import { coveredRuns, formReasons } from './eligibilityModel.ts';

/**
 * The credit form's state: what it holds, how it starts, what it checks before sending and the
 * request it sends. The rules are shared/creditRules.ts and shared/creditLimits.ts, the ones the
 * server judges by; the server judges again and its answer is the one that counts.
 */

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

/**
 * A fresh form: each creditable run at what is left to return; the reason chosen when exactly one
 * suits (`goodwill` for a goodwill credit, never for runs that cannot be credited); the ticket's
 * reference and the customer's words when the case came from a helpdesk link.
 */
export const initialCreditValues = (creditable: RunEligibility[], goodwill: boolean, ticket: TicketContext = {}): CreditFormValues => {
  const reason = goodwill ? 'goodwill' : creditable.length > 0 ? suggestedReason(creditable) : null;
  return {
    items: creditable.map(run => ({ generation_id: run.generation_id, tokens: run.eligible_tokens })),
    amount: null,
    reason: reason ?? '',
    ticket_ref: ticket.ticket ?? '',
    expected: ticket.expected ?? '',
    received: ticket.received ?? '',
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

/** Whether the form must have the customer's expected and received text: not for a missed auto-refund. */
export const customerWordsRequired = (reason: CreditFormValues['reason']): boolean => reason === '' || needsCustomerWords(reason);

/** Whether the note is required, and the words shown next to it saying so. */
export const noteRequirement = (values: Pick<CreditFormValues, 'items' | 'reason'>, runs: RunEligibility[]): { required: boolean; hint: string } => {
  if (values.reason === 'other') return { required: true, hint: 'Required: the reason is “Other”, so say what happened.' };
  const differing = changedAmounts(values.items, runs);
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

type FormErrors = Partial<Record<keyof CreditFormValues, unknown>>;

const textError = (value: string, max: number, required: boolean): string | undefined => {
  const text = value.trim();
  if (!text) return required ? 'Required' : undefined;
  if (text.length > max) return `At most ${max} characters (${text.length} now)`;
  return undefined;
};

const tokensError = (value: number | null): string | undefined => {
  if (value == null || Number.isNaN(value)) return 'Required: a whole number of tokens';
  if (!isWholeTokens(value)) return 'Must be a whole number of tokens, 1 or more';
  if (value > creditLimits.tokens) return `At most ${formatTokenCount(creditLimits.tokens)}`;
  return undefined;
};

/**
 * Record-level validation of the credit form (react-admin's `validate`): an object shaped like the
 * form. `runs` is the latest eligibility of every selected run; `goodwill` a credit with no runs.
 */
export const validateCreditForm = (values: CreditFormValues, runs: RunEligibility[], goodwill = false): FormErrors => {
  const errors: FormErrors = {};
  const itemErrors = values.items.map(item => {
    const run = runs.find(candidate => candidate.generation_id === item.generation_id);
    if (run && run.eligible_tokens === 0) return { tokens: 'Nothing is left to return for this run: leave it out' };
    const invalid = tokensError(item.tokens);
    if (invalid) return { tokens: invalid };
    if (run && item.tokens != null && item.tokens > run.eligible_tokens) {
      return { tokens: `At most ${formatTokenCount(run.eligible_tokens)}: what is left to return for this run` };
    }
    return {};
  });
  if (itemErrors.some(error => Object.keys(error).length > 0)) errors.items = itemErrors;
  if (!goodwill && values.items.length === 0) errors.items = 'Keep at least one run in the credit';
  if (goodwill) {
    const amount = tokensError(values.amount);
    if (amount) errors.amount = amount;
  }

  const reasons = formReasons(coveredRuns(values.items, runs), goodwill);
  if (!values.reason) errors.reason = 'Required: choose the reason';
  else if (!reasons.includes(values.reason)) errors.reason = `“${creditReasonLabel(values.reason)}” does not suit these runs`;

  const ticket = textError(values.ticket_ref, creditLimits.ticketRef, true);
  if (ticket) errors.ticket_ref = ticket;
  const wordsRequired = customerWordsRequired(values.reason);
  const expected = textError(values.expected, creditLimits.customerText, wordsRequired);
  if (expected) errors.expected = expected;
  const received = textError(values.received, creditLimits.customerText, wordsRequired);
  if (received) errors.received = received;

  const note = textError(values.note, creditLimits.note, false);
  const requirement = noteRequirement(values, runs);
  if (note) errors.note = note;
  else if (!values.note.trim() && requirement.required) errors.note = requirement.hint;

  const links = assetLinks(values.asset_links);
  const badLine = links.findIndex(link => !isHttpsLink(link) || link.length > creditLimits.linkLength);
  if (badLine >= 0) errors.asset_links = `Link ${badLine + 1} is not an https:// link`;
  else if (links.length > creditLimits.assetLinks) errors.asset_links = `At most ${creditLimits.assetLinks} links`;
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
