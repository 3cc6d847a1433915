import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalReasons, reasonMismatch, suggestedReason, suitableReasons } from '../../shared/creditRules.ts';
import type { Policy } from '../../shared/credits.ts';
import { buildRun } from './support/builders.ts';
import { creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

const policy: Policy = { approval_threshold: 500, agent_daily_limit: 2000, lead_approval_threshold: 5000, goodwill_requires_approval: true, refund_grace_minutes: 15 };
const run = (generation_id: string, status: string, refund_state: 'none' | 'refund_missing' | 'credited' | 'auto_refunded') => ({ generation_id, status, refund_state });
const succeeded = run('gen_ok', 'succeeded', 'none');
const missing = run('gen_missing', 'failed', 'refund_missing');

describe('the reason rules both sides apply (shared/creditRules.ts)', () => {
  it('suggests the reason only when exactly one suits: a missing refund, or goodwill for no runs', () => {
    expect(suggestedReason([missing])).toBe('missed_auto_refund');
    expect(suggestedReason([])).toBe('goodwill');
    expect(suggestedReason([succeeded])).toBeNull();
    expect(suitableReasons([succeeded])).toEqual(['off_prompt', 'visual_artifacts', 'wrong_format_or_length', 'safety_false_positive', 'duplicate_run', 'other']);
    expect(suggestedReason([succeeded, missing])).toBeNull();
    expect(suitableReasons([succeeded, missing])).toEqual([]);
  });

  it('names the run that a reason does not suit', () => {
    expect(reasonMismatch('visual_artifacts', [succeeded])).toBeNull();
    expect(reasonMismatch('visual_artifacts', [missing])).toBe('run gen_missing failed without its auto-refund: use missed_auto_refund');
    expect(reasonMismatch('off_prompt', [run('gen_part', 'failed', 'credited')])).toBe('run gen_part did not succeed (failed, credited): off_prompt covers succeeded runs only');
    expect(reasonMismatch('missed_auto_refund', [succeeded])).toMatch(/run gen_ok is none$/);
    expect(reasonMismatch('goodwill', [succeeded])).toMatch(/^goodwill credits cover no runs/);
    expect(reasonMismatch('other', [])).toBe('a credit that covers no runs is a goodwill credit');
  });

  it('says why a credit waits, in the figures the console shows', () => {
    expect(approvalReasons({ reason: 'off_prompt', amount: 300 }, { role: 'agent' }, policy, 0)).toEqual([]);
    expect(approvalReasons({ reason: 'goodwill', amount: 1200 }, { role: 'agent' }, policy, 1500)).toEqual([
      'Goodwill credits wait for a lead’s approval.',
      '1,200 tokens is above the approval threshold of 500 tokens.',
      'It takes your credits today (UTC) to 2,700 tokens, above the daily limit of 2,000 tokens.',
    ]);
    // An unknown day's total leaves the daily limit out; the server always knows it.
    expect(approvalReasons({ reason: 'off_prompt', amount: 400 }, { role: 'agent' }, policy, null)).toEqual([]);
    expect(approvalReasons({ reason: 'off_prompt', amount: 5001 }, { role: 'lead' }, policy, null)).toEqual([
      '5,001 tokens is above the limit of 5,000 tokens for a lead’s or admin’s own credits.',
    ]);
  });
});

describe('POST /api/credits: the customer’s words', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof creditWorld>>;
  beforeEach(async () => {
    t = await createTestApp();
    w = await creditWorld(t.app, t.ctx);
  });
  afterEach(() => t.cleanup());

  const row = (id: string) => t.row('SELECT reason, ticket_ref, expected, received FROM credits WHERE id = ?', [id]);
  const count = () => t.value('SELECT COUNT(*) FROM credits');

  it('does not demand them for a missed auto-refund, storing empty text', async () => {
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 60 }], { reason: 'missed_auto_refund' });
    const { expected: _expected, received: _received, ...withoutWords } = body;
    const res = await postCredit(w.as.agent, withoutWords);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ reason: 'missed_auto_refund', expected: '', received: '', status: 'applied' });
    expect(await row(res.body.id)).toEqual({ reason: 'missed_auto_refund', ticket_ref: 'ZD-1042', expected: '', received: '' });

    const second = await buildRun(t.ctx, w.chat, w.customer.id, { status: 'failed', charge: 30, finishedAt: new Date(t.ctx.clock().getTime() - 3_600_000).toISOString() });
    const blank = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: second.id, tokens: 30 }], { reason: 'missed_auto_refund', expected: ' ', received: '' }));
    expect(blank.status).toBe(201);
    expect(await row(blank.body.id)).toMatchObject({ expected: '', received: '' });
  });

  it('still demands them for every other reason, naming both fields with the others in one answer, and writes nothing', async () => {
    const res = await postCredit(
      w.as.agent,
      creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 1.5 }], { amount: 2, expected: '', received: undefined, ticket_ref: '' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({
      'items.0.tokens': 'must be a whole number of tokens',
      ticket_ref: 'is required',
      expected: 'is required',
      received: 'is required',
    });
    expect(await count()).toBe(0);
  });

  it('judges the reason by the shared rule: a partly credited failed run suits no run reason', async () => {
    const first = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 20 }], { reason: 'missed_auto_refund', note: 'part now' }));
    expect(first.status).toBe(201);
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 40 }], { reason: 'off_prompt' }));
    expect(res.status).toBe(400);
    expect(res.body.errors.reason).toBe(`run ${w.runs.missing.id} did not succeed (failed, credited): off_prompt covers succeeded runs only`);
    expect(await count()).toBe(1);
  });
});

describe('GET /api/credits/eligibility: times people read', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof creditWorld>>;
  beforeEach(async () => {
    t = await createTestApp();
    w = await creditWorld(t.app, t.ctx);
  });
  afterEach(() => t.cleanup());

  it('words the refund’s time in UTC and gives each run’s finish time as an instant', async () => {
    const res = await w.as.agent.agent.get(`/api/credits/eligibility?generation_ids=${w.runs.refunded.id},${w.runs.missing.id}`);
    expect(res.status).toBe(200);
    const [refunded, missingRun] = res.body.runs;
    expect(refunded.message).toMatch(/ on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$/);
    expect(refunded.message).not.toMatch(/T\d{2}:\d{2}:\d{2}/);
    expect(missingRun.finished_at).toBe(await t.value('SELECT finished_at FROM generations WHERE id = ?', [w.runs.missing.id]));
  });
});
