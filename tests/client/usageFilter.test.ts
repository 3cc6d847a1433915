import { describe, expect, it } from 'vitest';
import { emptyUsageFilter, transactionKindLabel, usageHistoryFilter } from '../../client/transactions/transactionModel.ts';

describe('usageHistoryFilter', () => {
  it('sets nothing for an empty form', () => {
    expect(usageHistoryFilter(emptyUsageFilter, 'Europe/Paris')).toEqual({});
  });

  it('turns calendar days in the agent’s zone into UTC bounds covering both whole days', () => {
    expect(usageHistoryFilter({ ...emptyUsageFilter, fromDay: '2026-11-20', toDay: '2026-11-24' }, 'Europe/Paris')).toEqual({
      created_at_gte: '2026-11-19T23:00:00.000Z',
      created_at_lte: '2026-11-24T22:59:59.999Z',
    });
  });

  it('follows daylight saving at either end', () => {
    expect(usageHistoryFilter({ ...emptyUsageFilter, fromDay: '2026-10-25', toDay: '2026-10-25' }, 'Europe/Paris')).toEqual({
      created_at_gte: '2026-10-24T22:00:00.000Z',
      created_at_lte: '2026-10-25T22:59:59.999Z',
    });
  });

  it('passes kind, tool and chat, trimmed', () => {
    expect(usageHistoryFilter({ ...emptyUsageFilter, kind: 'auto_refund', tool: ' video ', chatId: ' cht_42 ' }, 'UTC')).toEqual({
      kind: 'auto_refund',
      tool: 'video',
      chat_id: 'cht_42',
    });
  });

  it('ignores a day it cannot read', () => {
    expect(usageHistoryFilter({ ...emptyUsageFilter, fromDay: '2026-02-31' }, 'UTC')).toEqual({});
  });
});

describe('transactionKindLabel', () => {
  it('names known kinds and passes unknown ones through', () => {
    expect(transactionKindLabel('auto_refund')).toBe('Auto-refund');
    expect(transactionKindLabel('credit_void')).toBe('Credit void');
    expect(transactionKindLabel('bonus')).toBe('bonus');
  });
});
