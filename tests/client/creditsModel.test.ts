import { HttpError } from 'react-admin';
import { describe, expect, it } from 'vitest';
import {
  buildCreditRequest,
  creditTotal,
  customerWordsRequired,
  initialCreditValues,
  noteRequirement,
  validateCreditForm,
  type CreditFormValues,
} from '../../client/credits/creditFormModel.ts';
import { creditPermissions, dailyCreditTotal, dayBoundInstant, dayOfInstant, readEvidence, utcDayStart } from '../../client/credits/creditModel.ts';
import { creditCreatePath, readCreditTarget } from '../../client/credits/creditPaths.ts';
import { describeBlockedBy, formReasons, noReasonExplanation, notEligibleReason } from '../../client/credits/eligibilityModel.ts';
import { forecastApproval, newIdempotencyKey, readCreditFailure } from '../../client/credits/submissionModel.ts';
import { buildRunEligibility, defaultPolicy } from './creditsBuilders.ts';

const succeeded = buildRunEligibility({ generation_id: 'gen_1', eligible_tokens: 300, tokens_charged: 300 });
const succeededToo = buildRunEligibility({ generation_id: 'gen_2', eligible_tokens: 200, tokens_charged: 200 });
const missing = buildRunEligibility({ generation_id: 'gen_3', status: 'failed', refund_state: 'refund_missing', eligible_tokens: 8, tokens_charged: 8 });
const missingToo = buildRunEligibility({ generation_id: 'gen_4', status: 'failed', refund_state: 'refund_missing', eligible_tokens: 100, tokens_charged: 100 });

const filled = (overrides: Partial<CreditFormValues> = {}): CreditFormValues => ({
  items: [{ generation_id: 'gen_1', tokens: 300 }],
  amount: null,
  reason: 'visual_artifacts',
  ticket_ref: 'ZD-1',
  expected: 'A mug',
  received: 'Stripes',
  note: '',
  asset_links: '',
  ...overrides,
});

describe('the reasons the form offers', () => {
  it('offers goodwill, and only goodwill, for a goodwill credit', () => {
    expect(formReasons([], true)).toEqual(['goodwill']);
  });

  it('offers no reason, not goodwill, once a credit of runs covers none of them', () => {
    expect(formReasons([], false)).toEqual([]);
  });

  it('offers missed_auto_refund, and only it, when every run is a failed run whose refund is missing', () => {
    expect(formReasons([missing, missingToo], false)).toEqual(['missed_auto_refund']);
  });

  it('offers the run reasons for succeeded runs, never goodwill or missed_auto_refund', () => {
    expect(formReasons([succeeded, succeededToo], false)).toEqual(['off_prompt', 'visual_artifacts', 'wrong_format_or_length', 'safety_false_positive', 'duplicate_run', 'other']);
  });

  it('offers none for a mix of succeeded runs and missing refunds, and says to split the credit', () => {
    expect(formReasons([succeeded, missing], false)).toEqual([]);
    expect(noReasonExplanation([succeeded, missing], [succeeded, missing], false)).toMatch(/two separate credits/);
    expect(noReasonExplanation([succeeded, missing], [succeeded], false)).toBeNull();
    expect(noReasonExplanation([succeeded], [succeeded], false)).toBeNull();
  });

  it('offers none for a failed run that was partly credited already', () => {
    const partlyCredited = buildRunEligibility({ status: 'failed', refund_state: 'credited', eligible_tokens: 4 });
    expect(formReasons([partlyCredited], false)).toEqual([]);
    expect(noReasonExplanation([partlyCredited], [partlyCredited], false)).toMatch(/Ask a lead/);
  });

  it('says why, rather than offering goodwill, when none of the runs can be credited', () => {
    const refunded = buildRunEligibility({ status: 'failed', refund_state: 'auto_refunded', eligible_tokens: 0 });
    expect(noReasonExplanation([refunded], [], false)).toBe(
      'This run cannot be credited, so there is no reason to choose: the table says why. A goodwill credit is not the way round it.',
    );
    expect(noReasonExplanation([refunded, { ...refunded, generation_id: 'gen_9' }], [], false)).toMatch(/^None of these runs can be credited/);
    expect(noReasonExplanation([], [], true)).toBeNull();
  });
});

describe('why a run cannot be credited', () => {
  it('names the entry in the way with its date, or says what its state means, dates formatted', () => {
    const refund = { kind: 'auto_refund' as const, id: 'tx_r', created_at: '2026-11-20T01:16:00.000Z' };
    expect(notEligibleReason({ refund_state: 'auto_refunded', blocked_by: refund }, 'UTC')).toBe('Already auto-refunded by ledger entry tx_r on Nov 20, 2026, 1:16:00 AM UTC.');
    expect(notEligibleReason({ refund_state: 'refund_pending', finished_at: '2026-11-20T01:16:00.000Z' }, 'UTC')).toBe(
      'Failed on Nov 20, 2026, 1:16:00 AM UTC; its automatic refund is still within the grace period. Check again shortly.',
    );
    expect(notEligibleReason({ refund_state: 'in_progress' })).toBe('Still running: wait for the outcome.');
    expect(notEligibleReason({ refund_state: 'not_charged' })).toBe('Nothing was charged for this run.');
  });
});

describe('a new credit form', () => {
  it('prefills each run with what is left to return and picks the reason when only one fits', () => {
    expect(initialCreditValues([missing, missingToo], false)).toMatchObject({
      items: [
        { generation_id: 'gen_3', tokens: 8 },
        { generation_id: 'gen_4', tokens: 100 },
      ],
      reason: 'missed_auto_refund',
    });
    expect(initialCreditValues([succeeded], false).reason).toBe('');
    expect(initialCreditValues([], true).reason).toBe('goodwill');
  });

  it('never picks goodwill for runs of which none can be credited', () => {
    expect(initialCreditValues([], false)).toMatchObject({ items: [], reason: '' });
  });

  it('takes the ticket reference and the customer’s words from a helpdesk link', () => {
    expect(initialCreditValues([succeeded], false, { ticket: 'ZD-1', at: '2026-12-04T17:10', expected: 'A mug', received: 'Stripes' })).toMatchObject({
      ticket_ref: 'ZD-1',
      expected: 'A mug',
      received: 'Stripes',
      note: '',
    });
    expect(initialCreditValues([succeeded], false)).toMatchObject({ ticket_ref: '', expected: '', received: '' });
  });

  it('totals the runs, or takes the typed amount of a goodwill credit', () => {
    expect(creditTotal({ items: [{ generation_id: 'a', tokens: 300 }, { generation_id: 'b', tokens: 200 }], amount: null })).toBe(500);
    expect(creditTotal({ items: [{ generation_id: 'a', tokens: null }, { generation_id: 'b', tokens: 2.5 }], amount: null })).toBe(0);
    expect(creditTotal({ items: [], amount: 50 })).toBe(50);
  });
});

describe('the note', () => {
  it('is optional at the suggested amounts, with a reason other than other', () => {
    expect(noteRequirement(filled(), [succeeded])).toEqual({ required: false, hint: 'Optional. Internal: the customer never sees it.' });
  });

  it('is required when an amount differs from the suggestion, naming the suggestion', () => {
    const { required, hint } = noteRequirement(filled({ items: [{ generation_id: 'gen_1', tokens: 250 }] }), [succeeded]);
    expect(required).toBe(true);
    expect(hint).toBe('Required: the amount differs from the suggestion (300 tokens for gen_1), so say why.');
  });

  it('is required when the reason is other', () => {
    expect(noteRequirement(filled({ reason: 'other' }), [succeeded])).toMatchObject({ required: true, hint: expect.stringMatching(/“Other”/) });
  });
});

describe('validating the credit form', () => {
  it('passes a complete form', () => {
    expect(validateCreditForm(filled(), [succeeded])).toEqual({});
  });

  it('names each missing field', () => {
    const errors = validateCreditForm(filled({ reason: '', ticket_ref: ' ', expected: '', received: '' }), [succeeded]);
    expect(errors).toEqual({
      reason: 'Required: choose the reason',
      ticket_ref: 'Required',
      expected: 'Required',
      received: 'Required',
    });
  });

  it('refuses tokens that are not a whole positive number, or more than is left to return', () => {
    const errors = validateCreditForm(
      filled({
        items: [
          { generation_id: 'gen_1', tokens: 301 },
          { generation_id: 'gen_2', tokens: 0 },
        ],
        note: 'why',
      }),
      [succeeded, succeededToo],
    );
    expect(errors.items).toEqual([{ tokens: 'At most 300 tokens: what is left to return for this run' }, { tokens: 'Must be a whole number of tokens, 1 or more' }]);
  });

  it('asks for a leave-out when a run has nothing left any more', () => {
    const gone = { ...succeeded, eligible_tokens: 0 };
    expect(validateCreditForm(filled(), [gone]).items).toEqual([{ tokens: 'Nothing is left to return for this run: leave it out' }]);
  });

  it('requires the note when an amount differs, and when the reason is other', () => {
    expect(validateCreditForm(filled({ items: [{ generation_id: 'gen_1', tokens: 100 }] }), [succeeded]).note).toMatch(/^Required: the amount differs/);
    expect(validateCreditForm(filled({ reason: 'other' }), [succeeded]).note).toMatch(/^Required: the reason is “Other”/);
    expect(validateCreditForm(filled({ reason: 'other', note: 'Customer asked twice' }), [succeeded])).toEqual({});
  });

  it('does not ask for the customer’s words in a missed auto-refund credit', () => {
    expect(customerWordsRequired('missed_auto_refund')).toBe(false);
    expect(customerWordsRequired('')).toBe(true);
    const missingRefund = filled({ items: [{ generation_id: 'gen_3', tokens: 8 }], reason: 'missed_auto_refund', expected: '', received: ' ' });
    expect(validateCreditForm(missingRefund, [missing])).toEqual({});
    expect(validateCreditForm(filled({ expected: 'x'.repeat(4001) }), [succeeded]).expected).toBe('At most 4000 characters (4001 now)');
  });

  it('refuses a reason that does not suit the runs', () => {
    expect(validateCreditForm(filled({ reason: 'missed_auto_refund' }), [succeeded]).reason).toBe('“Missed auto-refund” does not suit these runs');
    expect(validateCreditForm(filled({ reason: 'goodwill' }), [succeeded]).reason).toBe('“Goodwill” does not suit these runs');
  });

  it('accepts https links only, one per line', () => {
    expect(validateCreditForm(filled({ asset_links: 'https://files.example.com/a.png\n\nhttps://files.example.com/b.png' }), [succeeded])).toEqual({});
    expect(validateCreditForm(filled({ asset_links: 'https://files.example.com/a.png\nhttp://files.example.com/b.png' }), [succeeded]).asset_links).toBe(
      'Link 2 is not an https:// link',
    );
    expect(validateCreditForm(filled({ asset_links: 'javascript:alert(1)' }), [succeeded]).asset_links).toBe('Link 1 is not an https:// link');
  });

  it('requires a run in a run credit, and an amount in a goodwill credit', () => {
    expect(validateCreditForm(filled({ items: [] }), [succeeded]).items).toBe('Keep at least one run in the credit');
    expect(validateCreditForm(filled({ items: [], reason: 'goodwill' }), [], true)).toEqual({ amount: 'Required: a whole number of tokens' });
    expect(validateCreditForm(filled({ items: [], reason: 'goodwill', amount: 50 }), [], true)).toEqual({});
  });
});

describe('the request body', () => {
  it('is what the API takes: trimmed text, the sum as amount, no empty note or links', () => {
    expect(buildCreditRequest(filled({ ticket_ref: ' ZD-1 ', expected: ' A mug ' }), 'cus_7')).toEqual({
      customer_id: 'cus_7',
      items: [{ generation_id: 'gen_1', tokens: 300 }],
      amount: 300,
      reason: 'visual_artifacts',
      ticket_ref: 'ZD-1',
      expected: 'A mug',
      received: 'Stripes',
    });
  });

  it('carries the note and the links when given', () => {
    expect(buildCreditRequest(filled({ note: ' partial ', asset_links: ' https://x.example/a.png \n' }), 'cus_7')).toMatchObject({
      note: 'partial',
      customer_asset_urls: ['https://x.example/a.png'],
    });
  });

  it('carries the typed amount of a goodwill credit, with no runs', () => {
    expect(buildCreditRequest(filled({ items: [], amount: 50, reason: 'goodwill' }), 'cus_7')).toMatchObject({ items: [], amount: 50, reason: 'goodwill' });
  });
});

describe('forecasting approval', () => {
  it('applies at once under every limit', () => {
    expect(forecastApproval(defaultPolicy, { role: 'agent', amount: 300, reason: 'visual_artifacts' }, 0)).toEqual({ outcome: 'applies', reasons: [] });
  });

  it('waits for an agent above the threshold', () => {
    expect(forecastApproval(defaultPolicy, { role: 'agent', amount: 501, reason: 'visual_artifacts' }, 0)).toEqual({
      outcome: 'waits',
      reasons: ['501 tokens is above the approval threshold of 500 tokens.'],
    });
  });

  it("waits when the agent's credits today cross the daily limit, and cannot tell when they are unknown", () => {
    expect(forecastApproval(defaultPolicy, { role: 'agent', amount: 400, reason: 'off_prompt' }, 1700)).toMatchObject({
      outcome: 'waits',
      reasons: ['It takes your credits today (UTC) to 2,100 tokens, above the daily limit of 2,000 tokens.'],
    });
    expect(forecastApproval(defaultPolicy, { role: 'agent', amount: 400, reason: 'off_prompt' }, null).outcome).toBe('unsure');
  });

  it('waits for goodwill whoever asks, when the policy says so', () => {
    expect(forecastApproval(defaultPolicy, { role: 'admin', amount: 10, reason: 'goodwill' }, null).outcome).toBe('waits');
    expect(forecastApproval({ ...defaultPolicy, goodwill_requires_approval: false }, { role: 'admin', amount: 10, reason: 'goodwill' }, null).outcome).toBe(
      'applies',
    );
  });

  it("holds leads to the lead threshold only, and cannot tell without the policy", () => {
    expect(forecastApproval(defaultPolicy, { role: 'lead', amount: 5000, reason: 'off_prompt' }, null).outcome).toBe('applies');
    expect(forecastApproval(defaultPolicy, { role: 'lead', amount: 5001, reason: 'off_prompt' }, null).outcome).toBe('waits');
    expect(forecastApproval(undefined, { role: 'lead', amount: 1, reason: 'off_prompt' }, null).outcome).toBe('unsure');
  });

  it('counts applied and pending credits of the day, from the start of the UTC day', () => {
    expect(
      dailyCreditTotal([
        { amount: 100, status: 'applied' },
        { amount: 50, status: 'pending_approval' },
        { amount: 70, status: 'rejected' },
        { amount: 30, status: 'voided' },
      ]),
    ).toBe(150);
    expect(utcDayStart(new Date('2026-11-24T23:59:00+09:00'))).toBe('2026-11-24T00:00:00.000Z');
  });
});

describe('who may decide', () => {
  const pending = { status: 'pending_approval' as const, requested_by: 'stf_agent' };

  it('lets no agent approve, reject or void', () => {
    expect(creditPermissions(pending, 'agent', 'stf_other')).toMatchObject({ canApprove: false, canReject: false, canVoid: false });
  });

  it('lets a lead approve and reject a pending credit of someone else', () => {
    expect(creditPermissions(pending, 'lead', 'stf_lead')).toMatchObject({ canApprove: true, canReject: true, canVoid: false, ownRequest: false });
  });

  it('never lets the requester approve, even a lead or admin, but lets them withdraw', () => {
    expect(creditPermissions({ ...pending, requested_by: 'stf_admin' }, 'admin', 'stf_admin')).toMatchObject({ canApprove: false, canReject: true, ownRequest: true });
  });

  it('offers no approval before it is known who is signed in', () => {
    expect(creditPermissions(pending, 'lead', undefined).canApprove).toBe(false);
  });

  it('lets leads void an applied credit only', () => {
    expect(creditPermissions({ status: 'applied', requested_by: 'stf_agent' }, 'lead', 'stf_lead')).toMatchObject({ canVoid: true, canApprove: false, canReject: false });
    expect(creditPermissions({ status: 'voided', requested_by: 'stf_agent' }, 'admin', 'stf_admin').canVoid).toBe(false);
  });
});

describe('reading what the server refused', () => {
  it('places field errors on the fields, the others in a list', () => {
    const error = new HttpError('Invalid request', 400, {
      code: 'validation_failed',
      message: 'Check the fields.',
      errors: { note: 'explain why', 'items.0.tokens': 'must be positive', 'customer_asset_urls.1': 'must be an https: link', amount: 'must equal the sum', customer_id: 'no customer cus_x' },
    });
    expect(readCreditFailure(error)).toEqual({
      kind: 'invalid',
      message: 'Check the fields.',
      fieldErrors: [
        ['note', 'Explain why'],
        ['items.0.tokens', 'Must be positive'],
        ['asset_links', 'Link 2: must be an https: link'],
      ],
      otherErrors: ['Total: must equal the sum', 'Customer: no customer cus_x'],
    });
    expect(readCreditFailure(error, true)).toMatchObject({ fieldErrors: expect.arrayContaining([['amount', 'Must equal the sum']]) });
  });

  it('names the runs in the way of a 409', () => {
    const blocked = { generation_id: 'gen_1', kind: 'auto_refund', id: 'tx_refund_1', created_at: '2026-11-20T01:16:00.000Z' };
    const failure = readCreditFailure(
      new HttpError('conflict', 409, { code: 'already_refunded', message: 'Run gen_1 cannot be credited.', blocked_by: [blocked], runs: [] }),
    );
    expect(failure).toEqual({ kind: 'blocked', blocked: [blocked], runs: [] });
  });

  it('tells a reused key from a network failure, which is safe to retry', () => {
    expect(readCreditFailure(new HttpError('x', 409, { code: 'idempotency_key_reused', message: 'x' })).kind).toBe('key_reused');
    expect(readCreditFailure(new TypeError('Failed to fetch'))).toMatchObject({ kind: 'network', message: expect.stringMatching(/cannot be applied twice/) });
    expect(readCreditFailure(new HttpError('Forbidden', 403, { code: 'forbidden', message: 'Not allowed.' }))).toEqual({
      kind: 'refused',
      status: 403,
      message: 'Not allowed.',
    });
  });

  it('describes an entry in the way with its id and date', () => {
    expect(describeBlockedBy({ kind: 'auto_refund', id: 'tx_refund_1', created_at: '2026-11-20T01:16:00.000Z' }, 'UTC')).toBe(
      'Already auto-refunded by ledger entry tx_refund_1 on Nov 20, 2026, 1:16:00 AM UTC',
    );
    expect(describeBlockedBy({ kind: 'pending_credit', id: 'crd_9', created_at: '2026-11-20T01:16:00.000Z' }, 'UTC')).toBe(
      'Held by credit crd_9, waiting for approval since Nov 20, 2026, 1:16:00 AM UTC',
    );
  });
});

describe('the rest', () => {
  it('makes a new UUID idempotency key each time', () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(key);
  });

  it('turns a calendar day on the viewer’s clock into the instants a date filter means, and back', () => {
    expect(dayBoundInstant('2026-11-20', 'gte', 'Asia/Tokyo')).toBe('2026-11-19T15:00:00.000Z');
    expect(dayBoundInstant('2026-11-20', 'lte', 'Asia/Tokyo')).toBe('2026-11-20T14:59:59.999Z');
    expect(dayBoundInstant('', 'gte', 'UTC')).toBeUndefined();
    expect(dayOfInstant('2026-11-19T15:00:00.000Z', 'Asia/Tokyo')).toBe('2026-11-20');
    expect(dayOfInstant(undefined, 'UTC')).toBe('');
  });

  it('reads the evidence of a grant without trusting its shape', () => {
    expect(readEvidence({ balance_before: 10, runs: [{ generation_id: 'gen_1', refund_state: 'none', tokens_charged: 5 }, 'junk'] })).toEqual({
      balanceBefore: 10,
      runs: [{ generation_id: 'gen_1', refund_state: 'none', status: null, tokens_charged: 5, tokens_returned: null }],
    });
    expect(readEvidence({})).toEqual({ balanceBefore: null, runs: [] });
  });

  it('reads the credit form’s address: runs, or the customer of a goodwill credit', () => {
    expect(readCreditTarget(creditCreatePath({ runs: ['gen_1', 'gen_2'] }).split('?')[1])).toEqual({ runs: ['gen_1', 'gen_2'], customerId: null, ticket: {} });
    expect(readCreditTarget(creditCreatePath({ customerId: 'cus_7' }).split('?')[1])).toEqual({ runs: [], customerId: 'cus_7', ticket: {} });
  });

  it('carries a helpdesk ticket\'s context to the credit form, dropping blank and over-long values', () => {
    const ticket = { ticket: 'ZD-88', at: '2026-12-04T17:10', expected: 'A clean shot & no text', received: 'Stripes' };
    const path = creditCreatePath({ runs: ['gen_1'] }, { ...ticket });
    expect(readCreditTarget(path.split('?')[1])).toEqual({ runs: ['gen_1'], customerId: null, ticket });
    expect(readCreditTarget(`runs=gen_1&ticket=%20&expected=${'x'.repeat(4001)}&received=ok&other=1`).ticket).toEqual({ received: 'ok' });
  });
});
