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

/** Every field of an event but its hashes, in the fixed order the chain encodes them. */
export const hashedFields = [
  'seq', 'at', 'actor_type', 'actor_id', 'actor_name', 'action', 'entity_type', 'entity_id', 'customer_id',
  'before_json', 'after_json', 'reason', 'request_id', 'client_ip',
] as const satisfies readonly (keyof AuditRow)[];

const HASHED = hashedFields.length;

/** An event as the chain reads it: the hashed fields in order, then prev_hash and hash. */
export type ChainTuple = unknown[];

const hashOf = (prevHash: string, fields: readonly unknown[]): string =>
  createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');

/**
 * SHA-256 over the previous hash and the event's fields as a JSON array in a
 * fixed order (before/after are already canonical JSON text). A fixed order
 * needs no key sorting, which keeps verification fast on a long log.
 */
export function hashAuditEvent(event: Omit<AuditRow, 'hash'>): string {
  return hashOf(event.prev_hash, hashedFields.map((field) => event[field]));
}

/**
 * The text of the hashed JSON array after its first element, the seq: `"2026-…","staff",…]`.
 * PostgreSQL's audit_append (migration 009) chains events whose seq it alone knows, under the
 * chain's lock: it hashes the previous hash, a newline, `[`, the seq and `,` followed by this —
 * the very bytes hashAuditEvent hashes, since JSON writes an array as its elements joined by commas.
 */
export function hashedTail(event: Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>): string {
  return JSON.stringify(hashedFields.slice(1).map((field) => event[field as Exclude<typeof field, 'seq'>])).slice(1);
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  first_bad_id: number | null;
  problem?: string;
}

/** Where a walk of the chain starts: the event before the first one it reads (none: seq 0, the genesis hash). */
export interface ChainStart {
  seq: number;
  hash: string;
}

export const CHAIN_ORIGIN: ChainStart = { seq: 0, hash: GENESIS_HASH };

/** An event read as a row, in the tuple verifyChain reads. */
export const chainTuple = (row: AuditRow): ChainTuple => [...hashedFields.map((field) => row[field]), row.prev_hash, row.hash];

/** One walk along the chain: each event is checked against the one before it. */
function chainWalk(start: ChainStart) {
  let prevHash = start.hash;
  let prevSeq = start.seq;
  let checked = 0;
  return {
    /** The answer when `event` is the first bad one, else null. */
    step(event: ChainTuple): ChainCheck | null {
      checked++;
      const seq = event[0] as number;
      const fields = event.slice(0, HASHED);
      const problem =
        seq !== prevSeq + 1
          ? `event ${seq} follows ${prevSeq}: events are missing`
          : event[HASHED] !== prevHash
            ? `event ${seq} does not chain to the event before it`
            : hashOf(prevHash, fields) !== event[HASHED + 1]
              ? `event ${seq} was changed after it was written`
              : null;
      if (problem) return { ok: false, checked, first_bad_id: seq, problem };
      prevHash = event[HASHED + 1] as string;
      prevSeq = seq;
      return null;
    },
    intact: (): ChainCheck => ({ ok: true, checked, first_bad_id: null }),
  };
}

/**
 * Walks events in chain order. The first event whose prev_hash does not name
 * its predecessor, whose seq skips, or whose own hash does not match its
 * content is the first bad one: an edit, an insertion or a deletion there.
 * A walk over part of the chain starts from the stored event before it.
 */
export function verifyChain(events: Iterable<ChainTuple>, start: ChainStart = CHAIN_ORIGIN): ChainCheck {
  const walk = chainWalk(start);
  for (const event of events) {
    const bad = walk.step(event);
    if (bad) return bad;
  }
  return walk.intact();
}

/** verifyChain over rows streamed from a snapshot (db/storage/types.ts); stops reading at the first bad event. */
export async function verifyChainStream(rows: AsyncIterable<AuditRow>, start: ChainStart = CHAIN_ORIGIN): Promise<ChainCheck> {
  const walk = chainWalk(start);
  for await (const row of rows) {
    const bad = walk.step(chainTuple(row));
    if (bad) return bad;
  }
  return walk.intact();
}
