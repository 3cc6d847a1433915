import { describe, expect, it } from 'vitest';
import { comparedWithYesterday, creditCount, decisionOutcome, decisionsSince, todayAgainstYesterday } from '../../client/home/homeModel.ts';
import { buildCredit } from './creditsBuilders.ts';

describe('the home in words', () => {
  it('asks for decisions from the last look, or from a day back when there is none (or it is unreadable)', () => {
    const now = new Date('2026-11-21T12:00:00.000Z');
    expect(decisionsSince('2026-11-21T08:00:00.000Z', now)).toEqual({ since: '2026-11-21T08:00:00.000Z', firstLook: false });
    expect(decisionsSince(undefined, now)).toEqual({ since: '2026-11-20T12:00:00.000Z', firstLook: true });
    expect(decisionsSince('last tuesday', now)).toEqual({ since: '2026-11-20T12:00:00.000Z', firstLook: true });
  });

  it('says what became of a credit, by whom, when and why; a void after the approval reads as a void', () => {
    const decided = { decided_by: 'stf_lee', decided_by_name: 'Lee Lead', decided_at: '2026-11-21T10:00:00.000Z' };
    expect(decisionOutcome(buildCredit(decided))).toEqual({ kind: 'approved', label: 'Approved by Lee Lead', at: '2026-11-21T10:00:00.000Z', reason: null });
    expect(decisionOutcome(buildCredit({ ...decided, status: 'rejected', decision_reason: 'Not ours' }))).toMatchObject({ kind: 'rejected', label: 'Rejected by Lee Lead', reason: 'Not ours' });
    expect(
      decisionOutcome(buildCredit({ ...decided, status: 'voided', voided_by_name: 'System', voided_at: '2026-11-21T11:00:00.000Z', void_reason: 'The refund arrived' })),
    ).toEqual({ kind: 'voided', label: 'Voided by System', at: '2026-11-21T11:00:00.000Z', reason: 'The refund arrived' });
  });

  it('compares today with yesterday, a day without credits counting as none', () => {
    const rows = [{ key: '2026-11-20', label: '2026-11-20', count: 9, tokens: 2100 }];
    expect(todayAgainstYesterday(rows, '2026-11-21')).toEqual({ today: { count: 0, tokens: 0 }, yesterday: { count: 9, tokens: 2100 } });
    expect(comparedWithYesterday(12, 9)).toBe('3 more than yesterday');
    expect(comparedWithYesterday(0, 9)).toBe('9 fewer than yesterday');
    expect(comparedWithYesterday(4, 4)).toBe('as many as yesterday');
    expect([creditCount(1), creditCount(1200)]).toEqual(['1 credit', '1,200 credits']);
  });
});
