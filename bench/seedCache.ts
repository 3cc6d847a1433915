import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../db/connection.ts';
import { listMigrations, migrate } from '../db/migrate.ts';
import type { BenchOptions } from './options.ts';
import { cacheDir, repoRoot } from './paths.ts';
import { runScript } from './processes.ts';

/** Row counts of the seeded tables, as built (before the bench adds anything). */
export type TableCounts = Record<(typeof countedTables)[number], number>;
const countedTables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries', 'audit_events'] as const;

/** What the bench knows about a cached seed, kept beside it as JSON. */
export interface SeedMeta {
  scale: string;
  seed: number;
  anchor: string;
  builtAt: string;
  /** `npm run seed` itself, or a database adopted from BENCH_SEED_DB. */
  builtBy: 'seed CLI' | 'adopted';
  /** Seconds the seed command ran, start-up and migrations included; null when adopted. */
  seconds: number | null;
  /** As the seed printed it, else ledger rows over `seconds`; null when adopted. */
  ledgerRowsPerSecond: number | null;
  counts: TableCounts;
  /** sha256 of each migration applied when the seed was built: a changed one makes the cache stale. */
  migrations: Record<string, string>;
}

export interface CachedSeed {
  path: string;
  meta: SeedMeta;
  bytes: number;
  /** Things a reader of the report should know (migrations applied to the cache, a stale schema). */
  notes: string[];
}

const seedCli = join(repoRoot, 'server', 'cli', 'seed.ts');

const migrationDigests = (): Record<string, string> =>
  Object.fromEntries(listMigrations().map((m) => [String(m.version).padStart(3, '0'), createHash('sha256').update(m.sql).digest('hex')]));

/**
 * Folds the WAL into the main file, so the database is one self-contained
 * file that can be copied, and counts its rows. One read-write connection: a
 * read-only one would leave -wal and -shm files behind when it closes.
 */
function finishBuild(path: string): TableCounts {
  const db = openDatabase(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    // Exact COUNT(*) once per build; a run itself never counts the whole ledger.
    return Object.fromEntries(
      countedTables.map((table) => [table, db.prepare<[], number>(`SELECT COUNT(*) FROM ${table}`).pluck().get() ?? 0]),
    ) as TableCounts;
  } finally {
    db.close();
  }
}

/** The `seed.loaded` audit event names the parameters a database was seeded with. */
function seededWith(path: string): { scale?: string; seed?: number; anchor?: string } | undefined {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const after = db
      .prepare<[], string>("SELECT after_json FROM audit_events WHERE action = 'seed.loaded' ORDER BY seq DESC LIMIT 1")
      .pluck()
      .get();
    return after ? (JSON.parse(after) as { scale?: string; seed?: number; anchor?: string }) : undefined;
  } finally {
    db.close();
  }
}

const sameDay = (iso: string | undefined, day: string): boolean => iso !== undefined && iso.slice(0, 10) === day;

/** Progress lines of a long seed, at most one every 10 s, so the console shows it is alive. */
function throttledEcho(): (text: string) => void {
  let last = 0;
  return (text) => {
    const now = performance.now();
    const line = text.trim().split('\n').pop();
    if (line && now - last > 10_000) {
      last = now;
      process.stderr.write(`  ${line}\n`);
    }
  };
}

async function buildSeed(
  options: BenchOptions,
  target: string,
): Promise<{ seconds: number; printedRate: number | null }> {
  const args = ['--scale', options.scale, '--seed', String(options.seed), '--anchor', options.anchor];
  process.stderr.write(`Building the ${options.scale} seed (npm run seed -- ${args.join(' ')}) into ${target} …\n`);
  const outcome = await runScript(seedCli, args, { DATABASE_PATH: target, LOG_LEVEL: 'warn' }, { onStderr: throttledEcho() });
  if (outcome.code !== 0) throw new Error(`the seed failed (exit code ${outcome.code}):\n${outcome.stdout}\n${outcome.stderr}`);
  // The seed's own figure excludes process start-up; take it when it prints one.
  const printed = /([\d,.]+)\s*(?:ledger\s+)?(?:rows|entries)\/s/i.exec(`${outcome.stdout}\n${outcome.stderr}`);
  const printedRate = printed ? Math.round(Number(printed[1].replace(/,/g, ''))) : null;
  return { seconds: outcome.elapsedMs / 1000, printedRate: Number.isFinite(printedRate) ? printedRate : null };
}

/**
 * The seed database for these parameters, built once into bench/.cache and
 * reused while it is there. Never written to by a run: measurements work on a
 * copy (workCopy). Migrations added since the build are applied to the cache
 * (the data stays the seed's); a migration edited since the build is reported.
 */
export async function ensureSeed(options: BenchOptions): Promise<CachedSeed> {
  mkdirSync(cacheDir, { recursive: true });
  const base = join(cacheDir, `${options.scale}-${options.seed}-${options.anchor}`);
  const path = `${base}.db`;
  const metaPath = `${base}.json`;
  const notes: string[] = [];

  if (options.rebuild || !existsSync(path) || !existsSync(metaPath)) {
    const building = `${base}.building.db`;
    for (const file of [building, `${building}-wal`, `${building}-shm`]) rmSync(file, { force: true });
    let builtBy: SeedMeta['builtBy'] = 'seed CLI';
    let seconds: number | null = null;
    let printedRate: number | null = null;
    const adopt = process.env.BENCH_SEED_DB;
    const adoptedWith = adopt && existsSync(adopt) ? seededWith(adopt) : undefined;
    if (adopt && adoptedWith?.scale === options.scale && adoptedWith.seed === options.seed && sameDay(adoptedWith.anchor, options.anchor)) {
      process.stderr.write(`Adopting ${adopt} (seeded with the same parameters) as the cached seed …\n`);
      // With its WAL, if it has one: finishBuild folds it in on our copy, leaving the original untouched.
      copyFileSync(adopt, building);
      if (existsSync(`${adopt}-wal`)) copyFileSync(`${adopt}-wal`, `${building}-wal`);
      builtBy = 'adopted';
    } else {
      if (adopt) notes.push(`BENCH_SEED_DB=${adopt} was not used: it was not seeded with ${options.scale}/${options.seed}/${options.anchor}.`);
      ({ seconds, printedRate } = await buildSeed(options, building));
    }
    const counts = finishBuild(building);
    const meta: SeedMeta = {
      scale: options.scale,
      seed: options.seed,
      anchor: options.anchor,
      builtAt: new Date().toISOString(),
      builtBy,
      seconds: seconds === null ? null : Math.round(seconds * 10) / 10,
      ledgerRowsPerSecond: printedRate ?? (seconds ? Math.round(counts.ledger_entries / seconds) : null),
      counts,
      migrations: migrationDigests(),
    };
    renameSync(building, path);
    writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  }

  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as SeedMeta;
  const current = migrationDigests();
  const edited = Object.keys(meta.migrations).filter((version) => current[version] && current[version] !== meta.migrations[version]);
  if (edited.length > 0) {
    notes.push(`Migration(s) ${edited.join(', ')} changed since the cached seed was built: rerun with --rebuild to measure the current schema.`);
  }
  const db = openDatabase(path);
  const applied = migrate(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  if (applied.length > 0) {
    notes.push(`Applied migration(s) ${applied.join(', ')} to the cached seed.`);
    meta.migrations = { ...meta.migrations, ...Object.fromEntries(applied.map((v) => [String(v).padStart(3, '0'), current[String(v).padStart(3, '0')]])) };
    writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  }
  return { path, meta, bytes: statSync(path).size, notes };
}

/**
 * A fresh copy of the cached seed for one run's writes (staff, audit events,
 * credits, ingestion). The large seed and its copy together exceed the
 * machine's memory: copied with dd's `iflag=nocache`, the cached seed's pages
 * leave the page cache as they are read, and the copy — the file the server
 * reads — stays in it, so "warm" figures are not skewed by evictions. Plain
 * copy where dd is not there.
 */
export function workCopy(seed: CachedSeed): string {
  const path = join(cacheDir, `work-${seed.meta.scale}.db`);
  removeWorkCopy(path);
  const dd = spawnSync('dd', [`if=${seed.path}`, `of=${path}`, 'bs=64M', 'iflag=nocache', 'status=none'], { stdio: 'ignore' });
  if (dd.status !== 0) copyFileSync(seed.path, path);
  return path;
}

export function removeWorkCopy(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
}
