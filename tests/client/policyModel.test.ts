import { describe, expect, it } from 'vitest';
import { policyChanges, policyFromForm, validatePolicy } from '../../client/policy/policyModel.ts';
import { defaultPolicy } from './creditsBuilders.ts';

describe('validating the credit policy', () => {
  it('passes the defaults', () => {
    expect(validatePolicy(defaultPolicy)).toEqual({});
  });

  it('wants whole numbers from 0 up to each maximum, and a yes or no', () => {
    expect(
      validatePolicy({
        approval_threshold: -1,
        agent_daily_limit: 2.5,
        lead_approval_threshold: null,
        goodwill_requires_approval: undefined,
        refund_grace_minutes: 10_081,
      }),
    ).toEqual({
      approval_threshold: 'Must be 0 or more',
      agent_daily_limit: 'Must be a whole number of tokens',
      lead_approval_threshold: 'Required',
      goodwill_requires_approval: 'Required: yes or no',
      refund_grace_minutes: 'At most 10,080 minutes',
    });
  });
});

describe('a policy change', () => {
  it('lists what changes, in words', () => {
    const next = { ...defaultPolicy, approval_threshold: 800, goodwill_requires_approval: false };
    expect(policyChanges(defaultPolicy, next).map(({ setting, before, after }) => `${setting.label}: ${before} → ${after}`)).toEqual([
      'Approval threshold: 500 tokens → 800 tokens',
      'Goodwill credits wait for approval: Yes → No',
    ]);
    expect(policyChanges(defaultPolicy, defaultPolicy)).toEqual([]);
  });

  it('sends exactly the five settings', () => {
    expect(policyFromForm({ ...defaultPolicy, id: 'x', extra: 1 })).toEqual(defaultPolicy);
  });
});
