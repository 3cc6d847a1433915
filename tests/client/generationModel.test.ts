import { describe, expect, it } from 'vitest';
import { refundStates } from '../../shared/refundState.ts';
import { refundProof, refundStatePresentation } from '../../client/generations/generationModel.ts';
import { buildEntry, buildRun } from './recordBuilders.ts';

describe('refundStatePresentation', () => {
  it('words every refund state, the missing refund in the error colour', () => {
    expect(refundStates.map(state => refundStatePresentation(state).label)).toEqual([
      'In progress',
      'Not charged',
      'Auto-refunded',
      'Credited',
      'Refund pending',
      'Refund missing',
      'No refund',
    ]);
    expect(refundStatePresentation('refund_missing').colour).toBe('error');
    expect(refundStatePresentation('none').meaning).toMatch(/eligible for a manual credit/);
  });

  it('names a state it does not know yet instead of failing', () => {
    expect(refundStatePresentation('partially_refunded')).toMatchObject({ label: 'partially refunded', colour: 'default' });
  });
});

describe('refundProof', () => {
  const refunded = buildRun({
    status: 'failed',
    refund_state: 'auto_refunded',
    tokens_returned: 1200,
    tokens_auto_refunded: 1200,
    auto_refund_id: 'tx_refund_1',
    auto_refunded_at: '2026-11-20T01:11:05.000Z',
  });
  const refundEntry = buildEntry({
    id: 'tx_refund_1',
    kind: 'auto_refund',
    amount: 1200,
    created_at: '2026-11-20T01:11:05.000Z',
    reverses_id: 'tx_charge_1',
  });

  it('states the refund entry, its time and amount, and the charge it reversed', () => {
    const proof = refundProof(refunded, [buildEntry(), refundEntry], 'UTC');
    expect(proof.severity).toBe('success');
    expect(proof.text).toBe(
      'Auto-refunded: ledger entry tx_refund_1 returned 1,200 tokens on Nov 20, 2026, 1:11:05 AM UTC, reversing charge tx_charge_1. The customer already has these tokens back.',
    );
    expect(proof.entries).toEqual([refundEntry]);
  });

  it('still states the proof from the run when the entry list is not at hand', () => {
    expect(refundProof(refunded, [], 'Asia/Tokyo').text).toBe(
      'Auto-refunded: ledger entry tx_refund_1 returned 1,200 tokens on Nov 20, 2026, 10:11:05 AM GMT+9, reversing charge tx_charge_1. The customer already has these tokens back.',
    );
  });

  it('lists the manual credits of a credited run', () => {
    const credited = buildRun({ refund_state: 'credited', tokens_returned: 600, tokens_credited: 600 });
    const credit = buildEntry({ id: 'tx_credit_1', kind: 'manual_credit', amount: 600, created_at: '2026-11-21T09:00:00.000Z', credit_id: 'crd_1' });
    expect(refundProof(credited, [buildEntry(), credit], 'UTC').text).toBe(
      'Credited: 600 tokens of 1,200 tokens returned by manual credit (entry tx_credit_1 of Nov 21, 2026, 9:00:00 AM UTC returned 600 tokens).',
    );
  });

  it.each([
    ['refund_missing', 'error', /no automatic refund arrived within the grace period/],
    ['refund_pending', 'warning', /still within the grace period/],
    ['none', 'info', /Succeeded and charged 1,200 tokens; nothing has been returned/],
    ['not_charged', 'info', /Nothing was charged/],
    ['in_progress', 'info', /wait for the outcome/],
  ] as const)('explains %s', (state, severity, words) => {
    const proof = refundProof(buildRun({ refund_state: state }), [], 'UTC');
    expect(proof.severity).toBe(severity);
    expect(proof.text).toMatch(words);
  });
});
