import Database from 'better-sqlite3';
import { CSRF_HEADER, IDEMPOTENCY_HEADER } from '../shared/auth.ts';
import type { CreditRequest } from '../shared/credits.ts';
import { loadNote, type AppServer, type BareReference, type StaffSession } from './httpBench.ts';
import { runLoadAcross, type LoadRequest } from './load.ts';
import type { BenchRow } from './results.ts';

/** A succeeded, charged run with nothing returned yet: a lead may credit all of it at once. */
export interface CreditableRun {
  id: string;
  customer_id: string;
  tokens: number;
}

/** 20 concurrent clients; the target (applied/s, exactly once each) is the caller's. */
const CLIENTS = 20;
const WARMUP_GRANTS = 200;
const MEASURED_GRANTS = 4000;
/** A lead's own credit above this waits for approval (credit_policy.lead_approval_threshold). */
const LEAD_LIMIT = 5000;
export const GRANTS_NEEDED = WARMUP_GRANTS + MEASURED_GRANTS;

/**
 * Distinct runs to credit, one per request, spread over the table (every
 * seventh row) so grants land on many customers rather than a handful.
 */
export function creditableRuns(path: string, count: number): CreditableRun[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[number, number], CreditableRun>(
        `SELECT id, customer_id, tokens_charged AS tokens FROM generations
          WHERE rowid % 7 = 0 AND status = 'succeeded' AND tokens_charged BETWEEN 1 AND ?
            AND tokens_auto_refunded = 0 AND tokens_credited = 0 AND tokens_reserved = 0
          LIMIT ?`,
      )
      .all(LEAD_LIMIT, count);
  } finally {
    db.close();
  }
}

function grantBody(run: CreditableRun, n: number): CreditRequest {
  return {
    customer_id: run.customer_id,
    items: [{ generation_id: run.id, tokens: run.tokens }],
    amount: run.tokens,
    reason: 'off_prompt',
    ticket_ref: `BENCH-${n}`,
    expected: 'The image the prompt described.',
    received: 'Something else entirely.',
  };
}

export interface GrantOutcome {
  row: BenchRow;
  /** Every key sent starts with this: the database check finds the bench's grants by it. */
  keyPrefix: string;
  created: number;
}

/** Where the grants go and what they are held to: one instance on SQLite, two on PostgreSQL. */
export interface GrantTarget {
  name: string;
  apps: readonly AppServer[];
  /** Applied grants per second at least. */
  atLeast: number;
}

/**
 * POST /api/credits at 20 concurrent clients, signed in as a lead (below the
 * lead threshold nothing waits for approval), each request with its own
 * Idempotency-Key and its own eligible run, the clients shared evenly by the
 * target's instances. Counts the 201s; checkGrantsApplied (or the PostgreSQL
 * check) then compares them with the database.
 */
export async function measureCreditGrants(target: GrantTarget, session: StaffSession, runs: CreditableRun[], bare: BareReference): Promise<GrantOutcome> {
  const keyPrefix = `bench-${Date.now().toString(36)}-`;
  const checks = [{ metric: 'value' as const, atLeast: target.atLeast }];
  const { name, apps } = target;
  if (runs.length < GRANTS_NEEDED) {
    return { row: { name, checks, outcome: 'not measured', note: `only ${runs.length} creditable runs in the seed, ${GRANTS_NEEDED} needed` }, keyPrefix, created: 0 };
  }
  let n = 0;
  const next = (): LoadRequest => {
    const run = runs[n];
    const body = JSON.stringify(grantBody(run, n));
    const key = `${keyPrefix}${n}`;
    n++;
    return {
      method: 'POST',
      path: '/api/credits',
      headers: { cookie: session.cookie, [CSRF_HEADER]: session.csrf, [IDEMPOTENCY_HEADER]: key, 'content-type': 'application/json' },
      body,
    };
  };
  const warmup = await runLoadAcross(apps, { connections: CLIENTS, amount: WARMUP_GRANTS, next });
  if ((warmup.statuses[201] ?? 0) === 0) {
    return { row: { name, checks, outcome: 'not available', note: loadNote(warmup, 201, 'no grant was applied') }, keyPrefix, created: 0 };
  }
  const result = await runLoadAcross(apps, { connections: CLIENTS, amount: MEASURED_GRANTS, next });
  const reference = await bare.at(CLIENTS);
  const created = (warmup.statuses[201] ?? 0) + (result.statuses[201] ?? 0);
  const appliedRate = (result.statuses[201] ?? 0) / result.seconds;
  return {
    row: {
      name,
      checks,
      outcome: 'measured',
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      value: appliedRate,
      unit: 'applied/s',
      ratio: result.rate / reference.rate,
      cpuUs: result.serverCpuUs,
      note: loadNote(
        result,
        201,
        `${MEASURED_GRANTS.toLocaleString('en-US')} grants after ${WARMUP_GRANTS} warm-up` +
          (apps.length > 1 ? `, ${CLIENTS / apps.length} clients on each of ${apps.length} instances (percentiles: the slower instance's; CPU: both per grant)` : ''),
      ),
    },
    keyPrefix,
    created,
  };
}

/**
 * "Exactly once each": every 201 left one applied grant and one manual_credit
 * ledger entry, and nothing else was applied. Read from the database after
 * the server stopped.
 */
export function checkGrantsApplied(path: string, keyPrefix: string, created: number): { ok: boolean; note: string } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const like = `${keyPrefix}%`;
    const applied = db
      .prepare<[string], number>("SELECT COUNT(*) FROM credits WHERE idempotency_key LIKE ? AND status = 'applied'")
      .pluck()
      .get(like) ?? 0;
    const entries = db
      .prepare<[string], number>(
        `SELECT COUNT(*) FROM ledger_entries l JOIN credits c ON c.id = l.credit_id
          WHERE c.idempotency_key LIKE ? AND l.kind = 'manual_credit'`,
      )
      .pluck()
      .get(like) ?? 0;
    const ok = applied === created && entries === created;
    return {
      ok,
      note: `${created.toLocaleString('en-US')} answered 201; ${applied.toLocaleString('en-US')} grants applied, ${entries.toLocaleString('en-US')} manual_credit entries in the database`,
    };
  } finally {
    db.close();
  }
}
