import type { AuditAction, AuditEntityType, AuditRecord } from '../../shared/audit.ts';
import { formatTokens } from '../display/format.ts';

/** What each audit action (shared/audit.ts) is called on screen; an action this console does not know shows as sent. */
export const auditActionLabels: Record<AuditAction, string> = {
  'credit.requested': 'Credit requested',
  'credit.applied': 'Credit applied',
  'credit.approved': 'Credit approved',
  'credit.rejected': 'Credit rejected',
  'credit.voided': 'Credit voided',
  'credit.delivery_given_up': 'Delivery to the studio given up',
  'credit.delivery_retried': 'Delivery to the studio retried',
  'studio.delivery_retried_given_up': 'Every given-up delivery retried',
  'policy.updated': 'Policy updated',
  'staff.created': 'Staff account created',
  'staff.updated': 'Staff account updated',
  'staff.disabled': 'Staff account disabled',
  'staff.enabled': 'Staff account enabled',
  'staff.password_reset': 'Password reset',
  'staff.sessions_ended': 'Sessions ended',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed sign-in',
  'auth.logout': 'Signed out',
  'auth.password_changed': 'Password changed',
  'auth.password_change_failed': 'Failed password change',
  'ingest.batch': 'Ingestion batch',
  'seed.loaded': 'Demo data loaded',
};

export const auditActionLabel = (action: string): string => (auditActionLabels as Record<string, string | undefined>)[action] ?? action;

export const auditEntityTypeLabels: Record<AuditEntityType, string> = {
  credit: 'Credit',
  credit_event: 'Credit events',
  policy: 'Policy',
  staff: 'Staff account',
  ingest_batch: 'Ingestion batch',
  dataset: 'Dataset',
};

export const auditEntityTypeLabel = (type: string): string => (auditEntityTypeLabels as Record<string, string | undefined>)[type] ?? type;

/** Who did it, in words: a staff member's name (the id is on hover), or the console itself, or the studio's ingestion. */
export const auditActorLabel = (event: Pick<AuditRecord, 'actor_type' | 'actor_id' | 'actor_name'>): string => {
  switch (event.actor_type) {
    case 'system':
      return 'System';
    case 'ingest':
      return 'Studio ingestion';
    case 'anonymous':
      return event.actor_name ? `Unknown (${event.actor_name})` : 'Unknown';
    default:
      return event.actor_name ?? event.actor_id;
  }
};

/** One key of a before/after pair. */
export interface AuditChange {
  /** Dotted path: `evidence.balance_before`, `items`. */
  key: string;
  before: string;
  after: string;
  change: 'added' | 'removed' | 'changed' | 'same';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nested objects become dotted keys, down to `depth`; arrays and deeper objects stay whole values. */
const flatten = (value: unknown, prefix: string, depth: number, into: Map<string, unknown>): Map<string, unknown> => {
  if (isPlainObject(value) && depth > 0) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) into.set(prefix, value);
    for (const [key, inner] of entries) flatten(inner, prefix ? `${prefix}.${key}` : key, depth - 1, into);
  } else if (prefix) {
    into.set(prefix, value);
  } else if (value !== undefined && value !== null) {
    into.set('(value)', value);
  }
  return into;
};

/** A value as a person reads it: numbers with separators, text as is, the rest as compact JSON. */
export const formatAuditValue = (value: unknown): string => {
  if (value === undefined) return '';
  if (value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? formatTokens(value) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return JSON.stringify(value);
};

/**
 * The keys of an event's before and after, side by side: what was added, removed or changed, and
 * (with `includeSame`) what stayed. Nested objects are spread into dotted keys three levels deep.
 */
export const diffAudit = (before: unknown, after: unknown, includeSame = false): AuditChange[] => {
  const was = flatten(before, '', 3, new Map());
  const now = flatten(after, '', 3, new Map());
  const keys = [...new Set([...was.keys(), ...now.keys()])];
  return keys
    .map((key): AuditChange => {
      const hadKey = was.has(key);
      const hasKey = now.has(key);
      const beforeText = hadKey ? formatAuditValue(was.get(key)) : '';
      const afterText = hasKey ? formatAuditValue(now.get(key)) : '';
      const change = !hadKey ? 'added' : !hasKey ? 'removed' : JSON.stringify(was.get(key)) === JSON.stringify(now.get(key)) ? 'same' : 'changed';
      return { key, before: beforeText, after: afterText, change };
    })
    .filter(row => includeSame || row.change !== 'same');
};

/** The chain status in words, as the indicator shows it. */
export const chainStatusWords = (status: { ok: boolean; checked: number; first_bad_id: number | null; problem?: string }): string =>
  status.ok
    ? `Audit chain OK: ${formatTokens(status.checked)} events verified`
    : `Audit chain BROKEN at event ${status.first_bad_id ?? '?'}${status.problem ? `: ${status.problem}` : ''}`;
