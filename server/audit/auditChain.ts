import { createHash } from 'node:crypto';
import type { AuditRow } from '../../db/repositories/auditRepository.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Stable JSON: object keys sorted at every depth, so the same value always
 * encodes to the same bytes (the hash chain depends on it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and every field of the event but its own hash. */
export function hashAuditEvent(event: Omit<AuditRow, 'hash'> & { hash?: string }): string {
  const { prev_hash: prevHash, hash: _ownHash, ...fields } = event;
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  first_bad_id: number | null;
  problem?: string;
}

/**
 * Walks events in chain order. The first event whose prev_hash does not name
 * its predecessor, whose seq skips, or whose own hash does not match its
 * content is the first bad one: an edit, an insertion or a deletion there.
 */
export function verifyChain(events: Iterable<AuditRow>): ChainCheck {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let checked = 0;
  for (const event of events) {
    checked++;
    const problem =
      event.seq !== prevSeq + 1
        ? `event ${event.seq} follows ${prevSeq}: events are missing`
        : event.prev_hash !== prevHash
          ? `event ${event.seq} does not chain to the event before it`
          : hashAuditEvent(event) !== event.hash
            ? `event ${event.seq} was changed after it was written`
            : null;
    if (problem) return { ok: false, checked, first_bad_id: event.seq, problem };
    prevHash = event.hash;
    prevSeq = event.seq;
  }
  return { ok: true, checked, first_bad_id: null };
}
