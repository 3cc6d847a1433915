import { describe, expect, it } from 'vitest';
import { autoRefundReply, creditReply, creditReplyHold, customerDate, notEligibleReply, runReply, runsPhrase } from '../../client/credits/replyModel.ts';
import { buildRun } from './recordBuilders.ts';
import { buildCredit, buildRunEligibility } from './creditsBuilders.ts';

// 23:30 UTC on Nov 20 is already Nov 21 in Tokyo.
const lateEvening = '2026-11-20T23:30:00.000Z';

describe('dates in replies', () => {
  it("are calendar days on the customer's clock when their zone is known", () => {
    expect(customerDate(lateEvening, 'Asia/Tokyo')).toBe('November 21, 2026');
    expect(customerDate(lateEvening, 'America/Los_Angeles')).toBe('November 20, 2026');
  });

  it('are UTC days, said as such, when the zone is unknown', () => {
    expect(customerDate(lateEvening, null)).toBe('November 20, 2026 (UTC)');
    expect(customerDate(lateEvening, 'Not/AZone')).toBe('November 20, 2026 (UTC)');
  });

  it('name the runs by count and days', () => {
    expect(runsPhrase(1, [lateEvening], 'Asia/Tokyo')).toBe('the run of November 21, 2026');
    expect(runsPhrase(2, [lateEvening, '2026-11-21T01:00:00.000Z'], 'Asia/Tokyo')).toBe('the 2 runs of November 21, 2026');
    expect(runsPhrase(3, ['2026-11-22T01:00:00.000Z', lateEvening, '2026-11-23T01:00:00.000Z'], 'UTC')).toBe(
      'the 3 runs of November 20, 2026, November 22, 2026 and November 23, 2026',
    );
    expect(runsPhrase(2, [], 'UTC')).toBe('the 2 runs you reported');
  });
});

describe('the reply for a credit', () => {
  it('says the tokens were added for the run after a review, and where to see them', () => {
    expect(creditReply(buildCredit({ amount: 1200 }), [lateEvening], 'Asia/Tokyo', 'delivered')).toBe(
      "We've added 1,200 tokens to your account for the run of November 21, 2026, after reviewing your request. You'll see the credit in Settings → Usage history.",
    );
  });

  it('explains a missed automatic refund in the help article’s words', () => {
    const credit = buildCredit({ amount: 8, reason: 'missed_auto_refund' });
    expect(creditReply(credit, [lateEvening], null, 'delivered')).toBe(
      "We've added 8 tokens to your account for the run of November 20, 2026 (UTC): it failed and its automatic refund did not go through, so we returned the tokens ourselves. You'll see the credit in Settings → Usage history.",
    );
  });

  it('calls a goodwill credit what it is', () => {
    expect(creditReply(buildCredit({ amount: 50, reason: 'goodwill', items: [] }), [], null, 'delivered')).toBe(
      "We've added 50 tokens to your account as a goodwill gesture. You'll see them in Settings → Usage history.",
    );
  });

  it('says a pending request is being reviewed', () => {
    expect(creditReply(buildCredit({ status: 'pending_approval' }), [lateEvening], 'UTC', 'none')).toBe(
      "Your request is being reviewed: we're looking at the run of November 20, 2026 and will get back to you as soon as it's decided.",
    );
  });

  it('says plainly when no tokens are added, without the internal reason', () => {
    const rejected = buildCredit({ status: 'rejected', decision_reason: 'Customer abused refunds' });
    const reply = creditReply(rejected, [lateEvening], 'UTC', 'none');
    expect(reply).toBe("We've reviewed the run of November 20, 2026, and we aren't able to add tokens back for it this time.");
    expect(reply).not.toMatch(/abused/);
  });

  it('has no reply for a voided credit', () => {
    expect(creditReply(buildCredit({ status: 'voided' }), [], null, 'none')).toBeNull();
  });

  it('never carries the internal note or ids', () => {
    for (const delivery of ['delivered', 'waiting'] as const) {
      const reply = creditReply(buildCredit({ note: 'VIP, be generous', id: 'crd_secret' }), [lateEvening], 'UTC', delivery) ?? '';
      expect(reply).not.toMatch(/VIP|crd_secret|gen_1/);
    }
  });
});

describe('the reply while the credit is on its way to the studio', () => {
  it('says the credit is approved and shows shortly, never that tokens were added, until the studio has them', () => {
    for (const delivery of ['waiting', 'not_configured'] as const) {
      expect(creditReply(buildCredit({ amount: 1200 }), [lateEvening], 'Asia/Tokyo', delivery)).toBe(
        "After reviewing your request, we've approved a credit of 1,200 tokens for the run of November 21, 2026. It will show in Settings → Usage history shortly.",
      );
    }
    expect(creditReply(buildCredit({ amount: 50, reason: 'goodwill', items: [] }), [], null, 'waiting')).toBe(
      "We've approved a goodwill credit of 50 tokens for your account. It will show in Settings → Usage history shortly.",
    );
    expect(creditReply(buildCredit({ amount: 8, reason: 'missed_auto_refund' }), [lateEvening], null, 'waiting')).toBe(
      "We've approved a credit of 8 tokens for the run of November 20, 2026 (UTC): it failed and its automatic refund did not go through, so we're returning the tokens ourselves. It will show in Settings → Usage history shortly.",
    );
  });

  it('offers no reply while delivery is failing or given up, and warns the agent instead', () => {
    expect(creditReply(buildCredit(), [lateEvening], 'UTC', 'failing')).toBeNull();
    expect(creditReply(buildCredit(), [lateEvening], 'UTC', 'given_up')).toBeNull();
    expect(creditReplyHold('failing')).toMatch(/^Delivery to the studio is failing: do not tell the customer the tokens were added yet\./);
    expect(creditReplyHold('given_up')).toMatch(/^Delivery to the studio was given up: do not tell the customer the tokens were added\./);
  });

  it('holds nothing back once delivered, or while the credit waits for a decision', () => {
    for (const delivery of ['delivered', 'waiting', 'not_configured', 'none'] as const) expect(creditReplyHold(delivery)).toBeNull();
  });
});

describe('the reply for a run', () => {
  it('states an automatic refund, its amount and date, and where to see it', () => {
    const run = buildRun({ refund_state: 'auto_refunded', tokens_charged: 120, tokens_auto_refunded: 120, auto_refunded_at: lateEvening });
    expect(runReply(run, 'Asia/Tokyo')).toBe(
      "The 120 tokens for this run were refunded automatically on November 21, 2026; you'll see the refund in Settings → Usage history.",
    );
    expect(autoRefundReply(1, lateEvening, 'UTC')).toMatch(/^The 1 token for this run was refunded automatically/);
  });

  it('says a failed run will be refunded automatically, a running one is still going, and nothing was charged', () => {
    expect(runReply(buildRun({ refund_state: 'refund_pending', tokens_charged: 8 }), null)).toMatch(/^This run failed, so its 8 tokens will be refunded automatically/);
    expect(runReply(buildRun({ refund_state: 'in_progress' }), null)).toMatch(/^This run is still in progress/);
    expect(runReply(buildRun({ refund_state: 'not_charged' }), null)).toBe('No tokens were charged for this run, so there is nothing to refund.');
  });

  it('has no ready reply where a credit decision is still to be made', () => {
    expect(runReply(buildRun({ refund_state: 'none' }), null)).toBeNull();
    expect(runReply(buildRun({ refund_state: 'refund_missing' }), null)).toBeNull();
  });

  it('says why a run cannot be credited, from its eligibility', () => {
    const refunded = buildRunEligibility({
      refund_state: 'auto_refunded',
      tokens_charged: 120,
      tokens_returned: 120,
      eligible_tokens: 0,
      blocked_by: { kind: 'auto_refund', id: 'tx_refund_2', created_at: lateEvening },
    });
    expect(notEligibleReply(refunded, 'Asia/Tokyo')).toBe(
      "The 120 tokens for this run were refunded automatically on November 21, 2026; you'll see the refund in Settings → Usage history.",
    );
    const credited = buildRunEligibility({ refund_state: 'credited', tokens_returned: 300, eligible_tokens: 0, blocked_by: { kind: 'manual_credit', id: 'tx_c', created_at: lateEvening } });
    expect(notEligibleReply(credited, 'UTC')).toBe(
      "We already added 300 tokens back to your account for this run on November 20, 2026; you'll see the credit in Settings → Usage history.",
    );
    // A credit the studio does not have yet is approved, not added.
    const onItsWay = buildRunEligibility({ refund_state: 'credited', tokens_returned: 300, eligible_tokens: 0, blocked_by: { kind: 'manual_credit', id: 'tx_c', created_at: lateEvening, delivered: false } });
    expect(notEligibleReply(onItsWay, 'UTC')).toBe('We already approved a credit of 300 tokens for this run on November 20, 2026. It will show in Settings → Usage history shortly.');
    const held = buildRunEligibility({ eligible_tokens: 0, blocked_by: { kind: 'pending_credit', id: 'crd_2', created_at: lateEvening } });
    expect(notEligibleReply(held, 'UTC')).toMatch(/already being reviewed/);
    expect(notEligibleReply(buildRunEligibility(), 'UTC')).toBeNull();
  });
});
