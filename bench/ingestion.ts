import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_INGEST_SECRET } from '../server/config.ts';
import { SIGNATURE_HEADER, signBody } from '../server/ingest/signature.ts';
import { loadNote, type AppServer } from './httpBench.ts';
import { runLoad, type LoadRequest } from './load.ts';
import { cacheDir, repoRoot } from './paths.ts';
import { runScript } from './processes.ts';
import type { BenchRow, Check } from './results.ts';
import { studioBatches } from './studioEvents.ts';

const HTTP_BATCHES = 60;
/** Two connections keep the server busy while the next batch is in transit. */
const HTTP_CONNECTIONS = 2;
const IMPORT_BATCHES = 100;
const DAY_MS = 86_400_000;
/** Target: seed / import ≥ 100,000 ledger rows/s with indexes in place. */
export const importTarget = [{ metric: 'value' as const, atLeast: 100_000 }];

/** Ledger entries whose id starts with `prefix`: one range of the unique index on ledger_entries.id. */
export function ledgerRowsWithPrefix(path: string, prefix: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[string, string], number>('SELECT COUNT(*) FROM ledger_entries WHERE id >= ? AND id < ?').pluck().get(prefix, `${prefix}\u{10FFFF}`) ?? 0;
  } finally {
    db.close();
  }
}

/** Where the batches go, how the stored entries are counted afterwards, and what the row is held to. */
export interface IngestionTarget {
  name: string;
  app: AppServer;
  /** Ledger entries whose id starts with the prefix, read from the server's database. */
  storedWithPrefix: (prefix: string) => Promise<number> | number;
  checks: Check[];
}

/**
 * POST /api/ingest/events with batches of 1000 new events, each signed with
 * the demo secret at the moment it is sent (a signature older than 5 minutes
 * is refused). Afterwards the ledger must hold every entry the batches carried.
 */
export async function measureIngestion(target: IngestionTarget, anchor: string): Promise<BenchRow> {
  const { app } = target;
  const prefix = `bench-ing-${Date.now().toString(36)}`;
  const batches = studioBatches(prefix, HTTP_BATCHES, Date.parse(`${anchor}T00:00:00Z`) + DAY_MS);
  const bodies = batches.map((batch) => JSON.stringify({ events: batch.events }));
  const events = batches.reduce((sum, batch) => sum + batch.events.length, 0);
  const ledgerEvents = batches.reduce((sum, batch) => sum + batch.ledgerEvents, 0);
  let n = 0;
  const next = (): LoadRequest => {
    const body = bodies[n++ % bodies.length];
    return {
      method: 'POST',
      path: '/api/ingest/events',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(DEMO_INGEST_SECRET, body, Math.floor(Date.now() / 1000)) },
      body,
    };
  };
  const result = await runLoad({ url: app.url, connections: HTTP_CONNECTIONS, amount: bodies.length, next, serverPid: app.pid });
  const stored = await target.storedWithPrefix(prefix);
  const complete = stored === ledgerEvents && (result.statuses[200] ?? 0) === bodies.length;
  return {
    name: target.name,
    checks: target.checks,
    correct: complete,
    outcome: 'measured',
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    value: events / result.seconds,
    unit: 'events/s',
    // Per event, not per request: a request carries a thousand.
    cpuUs: result.serverCpuUs === undefined ? undefined : result.serverCpuUs / (events / bodies.length),
    note: loadNote(
      result,
      200,
      `${HTTP_BATCHES} batches over ${HTTP_CONNECTIONS} connections, latency per batch, CPU per event; ${Math.round(stored / result.seconds).toLocaleString('en-US')} ledger rows/s; ` +
        (complete ? 'every ledger entry stored' : `ONLY ${stored} of ${ledgerEvents} ledger entries stored`),
    ),
  };
}

/**
 * `npm run import` of an NDJSON file of 100,000 new events into the work
 * database (the server stopped): the command path of the "seed / import" target.
 */
export async function measureImport(dbPath: string, anchor: string): Promise<BenchRow> {
  const prefix = `bench-imp-${Date.now().toString(36)}`;
  const batches = studioBatches(prefix, IMPORT_BATCHES, Date.parse(`${anchor}T00:00:00Z`) + 2 * DAY_MS);
  const file = join(cacheDir, 'import-events.ndjson');
  writeFileSync(file, `${batches.flatMap((batch) => batch.events.map((event) => JSON.stringify(event))).join('\n')}\n`);
  const events = batches.reduce((sum, batch) => sum + batch.events.length, 0);
  const name = `import (npm run import), ${events.toLocaleString('en-US')} events`;
  const outcome = await runScript(join(repoRoot, 'server', 'cli', 'import.ts'), [file], { DATABASE_PATH: dbPath, LOG_LEVEL: 'warn' }).finally(() =>
    rmSync(file, { force: true }),
  );
  if (outcome.code !== 0) return { name, checks: importTarget, outcome: 'not measured', note: `import failed: ${outcome.stderr.slice(-300)}` };
  // The command's own timing excludes process start-up and migrations; fall back to the wall clock.
  const printed = /in ([\d.]+) s/.exec(outcome.stdout);
  const seconds = printed ? Number(printed[1]) : outcome.elapsedMs / 1000;
  const stored = ledgerRowsWithPrefix(dbPath, prefix);
  return {
    name,
    checks: importTarget,
    outcome: 'measured',
    value: stored / seconds,
    unit: 'ledger rows/s',
    note: `${stored.toLocaleString('en-US')} ledger rows among ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s: ${Math.round(events / seconds).toLocaleString('en-US')} events/s`,
  };
}
