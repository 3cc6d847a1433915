import { describe, expect, it } from 'vitest';
import { refundAnswer } from '../../client/generations/generationModel.ts';
import { creditableTokens } from '../../shared/refundState.ts';
import { buildRun } from './recordBuilders.ts';

const now = new Date('2026-12-05T14:00:00.000Z');

describe("a run's refund answer", () => {
  it('says when an auto-refund came and how much, on the given clock', () => {
    const run = buildRun({ refund_state: 'auto_refunded', tokens_auto_refunded: 120, tokens_returned: 120, auto_refunded_at: '2026-12-04T08:18:00.000Z' });
    expect(refundAnswer(run, 'Asia/Tokyo', now)).toEqual({ text: 'Auto-refunded 120 tokens on Dec 4, 17:18.', time: '2026-12-04T08:18:00.000Z' });
  });

  it('says how long a refund has been due or missing', () => {
    const failed = { status: 'failed' as const, tokens_charged: 800, finished_at: '2026-12-05T11:00:00.000Z' };
    expect(refundAnswer(buildRun({ ...failed, refund_state: 'refund_missing' }), 'UTC', now).text).toBe(
      'Failed 3 hours ago and no auto-refund came: 800 tokens not returned.',
    );
    expect(refundAnswer(buildRun({ ...failed, refund_state: 'refund_pending', finished_at: '2026-12-05T13:55:00.000Z' }), 'UTC', now).text).toBe(
      'Failed 5 minutes ago; the auto-refund is still due.',
    );
  });

  it('says what a credit returned and what is left or held', () => {
    const credited = buildRun({ refund_state: 'credited', tokens_charged: 1200, tokens_credited: 500, tokens_returned: 500, tokens_reserved: 200 });
    expect(refundAnswer(credited, 'UTC', now).text).toBe(
      'Credited 500 of 1,200 tokens. 200 tokens held by a credit waiting for approval. 500 tokens can still be credited.',
    );
    expect(refundAnswer(buildRun({ refund_state: 'none', tokens_charged: 1200 }), 'UTC', now).text).toBe('Nothing returned; 1,200 tokens can be credited.');
    expect(refundAnswer(buildRun({ refund_state: 'none', tokens_charged: 1200, tokens_reserved: 1200 }), 'UTC', now).text).toBe(
      'Nothing returned. 1,200 tokens held by a credit waiting for approval.',
    );
    expect(refundAnswer(buildRun({ refund_state: 'not_charged', tokens_charged: 0 }), 'UTC', now).text).toBe('Nothing was charged.');
    expect(refundAnswer(buildRun({ refund_state: 'in_progress', status: 'running', started_at: '2026-12-05T13:58:00.000Z' }), 'UTC', now).text).toBe(
      'Still running, started 2 minutes ago.',
    );
  });
});

describe('creditableTokens', () => {
  it('is what is left of the charge while the state allows a credit, 0 otherwise', () => {
    expect(creditableTokens(buildRun({ refund_state: 'none', tokens_charged: 1200 }))).toBe(1200);
    expect(creditableTokens(buildRun({ refund_state: 'credited', tokens_charged: 1200, tokens_returned: 500, tokens_reserved: 200 }))).toBe(500);
    expect(creditableTokens(buildRun({ refund_state: 'refund_missing', tokens_charged: 800 }))).toBe(800);
    expect(creditableTokens(buildRun({ refund_state: 'credited', tokens_charged: 1200, tokens_returned: 1200 }))).toBe(0);
    for (const refund_state of ['auto_refunded', 'refund_pending', 'in_progress', 'not_charged'] as const) {
      expect(creditableTokens(buildRun({ refund_state, tokens_charged: 1200 }))).toBe(0);
    }
  });
});
