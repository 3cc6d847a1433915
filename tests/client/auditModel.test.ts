import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditActorLabel, chainStatusWords, diffAudit, formatAuditValue } from '../../client/audit/auditModel.ts';

describe('the before/after of an audit event', () => {
  it('lists the keys that changed, were added or removed, nested objects as dotted keys', () => {
    const before = { status: 'pending_approval', balance: 1000, evidence: { balance_before: 1000, chat_ids: ['c1'] }, gone: true };
    const after = { status: 'applied', balance: 1020, evidence: { balance_before: 1000, chat_ids: ['c1'] }, transaction_id: 'txn_1' };

    expect(diffAudit(before, after)).toEqual([
      { key: 'status', before: 'pending_approval', after: 'applied', change: 'changed' },
      { key: 'balance', before: '1,000', after: '1,020', change: 'changed' },
      { key: 'gone', before: 'yes', after: '', change: 'removed' },
      { key: 'transaction_id', before: '', after: 'txn_1', change: 'added' },
    ]);
  });

  it('shows unchanged keys when asked, and handles an event with no before', () => {
    expect(diffAudit({ a: 1 }, { a: 1 }, true)).toEqual([{ key: 'a', before: '1', after: '1', change: 'same' }]);
    expect(diffAudit(null, { amount: 20, items: [{ generation_id: 'g', tokens: 20 }] })).toEqual([
      { key: 'amount', before: '', after: '20', change: 'added' },
      { key: 'items', before: '', after: '[{"generation_id":"g","tokens":20}]', change: 'added' },
    ]);
    expect(diffAudit(null, null)).toEqual([]);
  });

  it('formats values for reading', () => {
    expect(formatAuditValue(null)).toBe('—');
    expect(formatAuditValue(false)).toBe('no');
    expect(formatAuditValue(1.5)).toBe('1.5');
    expect(formatAuditValue({ a: 1 })).toBe('{"a":1}');
  });
});

describe('audit words', () => {
  it('names actions, actors and the chain status', () => {
    expect(auditActionLabel('credit.applied')).toBe('Credit applied');
    expect(auditActionLabel('something.new')).toBe('something.new');
    expect(auditActorLabel({ actor_type: 'staff', actor_id: 'stf_1', actor_name: 'Ada Agent' })).toBe('Ada Agent');
    expect(auditActorLabel({ actor_type: 'system', actor_id: 'system', actor_name: null })).toBe('System');
    expect(auditActorLabel({ actor_type: 'ingest', actor_id: 'ingest', actor_name: null })).toBe('Studio ingestion');
    expect(chainStatusWords({ ok: true, checked: 12_345, first_bad_id: null })).toBe('Audit chain OK: 12,345 events verified');
    expect(chainStatusWords({ ok: false, checked: 17, first_bad_id: 17, problem: 'hash mismatch' })).toBe('Audit chain BROKEN at event 17: hash mismatch');
  });
});
