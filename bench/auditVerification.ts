import { join } from 'node:path';
import { openDatabase } from '../db/connection.ts';
import { createAuditRepository } from '../db/repositories/auditRepository.ts';
import { verifyChain } from '../server/audit/auditChain.ts';
import { appendAuditEvents } from './auditEvents.ts';
import { cacheDir } from './paths.ts';
import type { BenchRow } from './results.ts';
import { removeWorkCopy } from './seedCache.ts';
import { openBenchContext } from './workDatabase.ts';

/** quality.md: audit chain verification ≥ 200,000 events/s. */
const target = [{ metric: 'value' as const, atLeast: 200_000 }];
/** Long enough that the rate is not start-up noise. */
const CHAIN_LENGTH = 300_000;

/** What `npm run audit:verify` does: verifyChain over the streamed chain, timed. */
function timeVerification(path: string): { checked: number; seconds: number; ok: boolean; problem: string | undefined } {
  const db = openDatabase(path, { readonly: true });
  try {
    const started = performance.now();
    const result = verifyChain(createAuditRepository(db).iterateChain());
    return { checked: result.checked, seconds: (performance.now() - started) / 1000, ok: result.ok, problem: result.problem };
  } finally {
    db.close();
  }
}

/**
 * The verification rate over a chain of 300,000 events written by the current
 * code into a database of its own. Not the seed's chain: a seed built before a
 * change of the hash encoding would stop verification at its first event and
 * time nothing (checkWorkChain reports that separately).
 */
export function measureAuditVerification(): BenchRow {
  const path = join(cacheDir, 'audit-chain.db');
  removeWorkCopy(path);
  try {
    const ctx = openBenchContext(path);
    const appendSeconds = appendAuditEvents(ctx, CHAIN_LENGTH, []);
    ctx.db.close();
    const { checked, seconds, ok, problem } = timeVerification(path);
    return {
      name: 'audit chain verification',
      checks: target,
      correct: ok,
      outcome: 'measured',
      value: checked / seconds,
      unit: 'events/s',
      note:
        `${checked.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s, chain ${ok ? 'intact' : `BROKEN: ${problem}`}; ` +
        `written at ${Math.round(CHAIN_LENGTH / appendSeconds).toLocaleString('en-US')} events/s through the audit log`,
    };
  } finally {
    removeWorkCopy(path);
  }
}

/** `audit:verify` of the run's work copy (the seed's events, the bench's, the grants'): a line for the report. */
export function checkWorkChain(path: string): string {
  const { checked, ok, problem } = timeVerification(path);
  return ok
    ? `\`audit:verify\` of the work copy after the run: intact, ${checked.toLocaleString('en-US')} events.`
    : `\`audit:verify\` of the work copy after the run: **BROKEN** after ${checked.toLocaleString('en-US')} events: ${problem}.`;
}
