import type { Policy } from '../../shared/credits.ts';
import { formatTokens } from '../display/format.ts';

/** One setting of the credit policy (docs/domain.md), as the policy page shows and edits it. */
export interface PolicySetting {
  key: keyof Policy;
  label: string;
  /** What it does, in the words of docs/domain.md. */
  help: string;
  unit: 'tokens' | 'minutes' | null;
  max: number;
}

export const policySettings: PolicySetting[] = [
  { key: 'approval_threshold', label: 'Approval threshold', help: 'An agent’s credit above this many tokens waits for approval.', unit: 'tokens', max: 1_000_000_000 },
  {
    key: 'agent_daily_limit',
    label: 'Agent daily limit',
    help: 'An agent’s credits (applied and pending) in one UTC day above this total: the one that crosses it waits for approval.',
    unit: 'tokens',
    max: 1_000_000_000,
  },
  {
    key: 'lead_approval_threshold',
    label: 'Lead approval threshold',
    help: 'A lead’s or admin’s own credit above this waits for another lead’s or admin’s approval.',
    unit: 'tokens',
    max: 1_000_000_000,
  },
  { key: 'goodwill_requires_approval', label: 'Goodwill credits wait for approval', help: 'Goodwill credits (no runs) wait for approval, whoever asks.', unit: null, max: 1 },
  {
    key: 'refund_grace_minutes',
    label: 'Refund grace period',
    help: 'How long after a failed run finishes without an auto-refund it stays “refund pending” before it counts as “refund missing”.',
    unit: 'minutes',
    max: 7 * 24 * 60,
  },
];

/** A setting's value in words: "500 tokens", "15 minutes", "Yes". */
export const formatPolicyValue = (setting: PolicySetting, value: unknown): string => {
  if (setting.unit === null) return value ? 'Yes' : 'No';
  if (typeof value !== 'number') return '—';
  return `${formatTokens(value)} ${setting.unit}`;
};

/** Record-level validation of the policy form: whole numbers from 0 to each setting's maximum. */
export const validatePolicy = (values: Partial<Record<keyof Policy, unknown>>): Partial<Record<keyof Policy, string>> => {
  const errors: Partial<Record<keyof Policy, string>> = {};
  for (const setting of policySettings) {
    const value = values[setting.key];
    if (setting.unit === null) {
      if (typeof value !== 'boolean') errors[setting.key] = 'Required: yes or no';
      continue;
    }
    if (value == null || value === '' || (typeof value === 'number' && Number.isNaN(value))) errors[setting.key] = 'Required';
    else if (typeof value !== 'number' || !Number.isInteger(value)) errors[setting.key] = `Must be a whole number of ${setting.unit}`;
    else if (value < 0) errors[setting.key] = 'Must be 0 or more';
    else if (value > setting.max) errors[setting.key] = `At most ${formatTokens(setting.max)} ${setting.unit}`;
  }
  return errors;
};

/** What a save would change, setting by setting, in words. */
export const policyChanges = (current: Policy, next: Policy): { setting: PolicySetting; before: string; after: string }[] =>
  policySettings
    .filter(setting => current[setting.key] !== next[setting.key])
    .map(setting => ({ setting, before: formatPolicyValue(setting, current[setting.key]), after: formatPolicyValue(setting, next[setting.key]) }));

/** The policy as the API takes it: exactly its five settings. */
export const policyFromForm = (values: Record<string, unknown>): Policy => ({
  approval_threshold: Number(values.approval_threshold),
  agent_daily_limit: Number(values.agent_daily_limit),
  lead_approval_threshold: Number(values.lead_approval_threshold),
  goodwill_requires_approval: Boolean(values.goodwill_requires_approval),
  refund_grace_minutes: Number(values.refund_grace_minutes),
});
