import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoStaff } from '../../server/seed/demoStaff.ts';
import { seedInto } from '../../server/seed/seedInto.ts';
import { loadDemoCredits } from '../../server/seed/demoCredits.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { verifyAuditChain } from '../../server/audit/chainVerifier.ts';
import { createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.time.set('2026-11-24T12:00:00.000Z');
  await createDemoStaff(t.ctx);
  await seedInto(t.ctx, { scale: 'small', seed: 1, anchor: new Date('2026-11-24T00:00:00.000Z') });
  expect(await loadDemoCredits(t.ctx, t.ctx.clock())).toBeGreaterThan(20);
});
afterAll(() => t.cleanup());

describe('the demo database', () => {
  it('holds credit history with every kind of anomaly, one credit waiting for approval, and verifies', async () => {
    const lead = await signIn(t.app, 'lead@tokendesk.test', 'demo-lead-pass');
    const anomalies = await lead.agent.get('/api/reports/anomalies');
    const rules = new Set(anomalies.body.rows.flatMap((c: { anomalies: { rule: string }[] }) => c.anomalies.map((a) => a.rule)));
    expect([...rules].sort()).toEqual(['agent_volume', 'near_threshold', 'refunded_elsewhere', 'repeat_customer']);
    const pending = await lead.agent.get(`/api/credits?filter=${encodeURIComponent('{"status":"pending_approval"}')}`);
    expect(pending.body).toHaveLength(1);
    expect(pending.body[0].approval_reasons[0]).toMatch(/above the approval threshold/);
    for (const status of ['rejected', 'voided']) {
      expect((await lead.agent.get(`/api/credits?filter=${encodeURIComponent(JSON.stringify({ status }))}`)).body).toHaveLength(1);
    }
    const missing = await lead.agent.get(`/api/generations?filter=${encodeURIComponent('{"refund_state":"refund_missing"}')}`);
    expect(missing.body.length).toBeGreaterThanOrEqual(3);
    expect(await verifyLedger(t.ctx.storage)).toMatchObject({ ok: true, problems: [] });
    expect((await verifyAuditChain(t.ctx.storage)).ok).toBe(true);
  });

  it('leaves the walkthrough run of Maya Chen\'s chat uncredited and eligible', async () => {
    const agent = await signIn(t.app, 'agent@tokendesk.test', 'demo-agent-pass');
    const res = await agent.agent.get('/api/credits/eligibility?generation_ids=gen_maya_artifacts');
    expect(res.body.runs[0]).toMatchObject({ refund_state: 'none', tokens_returned: 0 });
    expect(res.body.runs[0].eligible_tokens).toBeGreaterThan(0);
  });
});
