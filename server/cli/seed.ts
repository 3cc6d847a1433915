import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DatasetNotEmpty, scales, type DatasetSummary } from '../seed/dataset.ts';
import { seedInto } from '../seed/seedInto.ts';
import { stories } from '../seed/stories.ts';
import { fail, openCliContext } from './cliContext.ts';

function utcMidnight(day: string): Date | undefined {
  const date = new Date(`${day}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const usage = 'Usage: npm run seed -- --scale small|medium|large [--seed N] [--anchor YYYY-MM-DD]';

const argsSchema = z.object({
  scale: z.enum(scales, { error: `must be one of ${scales.join(', ')}` }),
  seed: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a whole number from 0 to 4294967295')
    .transform(Number)
    .refine((seed) => seed <= 0xffffffff, 'must be a whole number from 0 to 4294967295')
    .default(1),
  anchor: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    // Date parsing rolls 2025-02-30 over into March; only a date that survives the round trip is real.
    .refine((day) => utcMidnight(day)?.toISOString().slice(0, 10) === day, 'must be a real calendar date as YYYY-MM-DD')
    .transform((day) => new Date(`${day}T00:00:00.000Z`))
    .optional(),
});

const PROGRESS_EVERY_MS = 5000;
const number = (n: number): string => n.toLocaleString('en-US');

function parseFlags(): z.infer<typeof argsSchema> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ options: { scale: { type: 'string' }, seed: { type: 'string' }, anchor: { type: 'string' } } }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    fail(`${parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n')}\n${usage}`);
  }
  return parsed.data;
}

/** Where the data went: the SQLite file, or PostgreSQL (whose address may hold a password, so is not printed). */
function describe(summary: DatasetSummary, databasePath: string | null): string {
  const kinds = Object.entries(summary.byKind)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${number(count)}`)
    .join(', ');
  const story = Object.values(stories)
    .map((s) => `  ${s.chatId}  ${s.name} <${s.email}>: ${s.chatTitle}`)
    .join('\n');
  return [
    `Seeded the ${summary.scale} dataset (seed ${summary.seed}, ending ${summary.anchor}) into ${databasePath ?? 'the PostgreSQL database of DATABASE_URL'}`,
    `  customers ${number(summary.customers)}, chats ${number(summary.chats)}, runs ${number(summary.generations)}, assets ${number(summary.assets)}`,
    `  ledger entries ${number(summary.ledgerEntries)} (${kinds})`,
    `  failed runs left without their auto-refund (refund_missing): ${number(summary.refundMissing)}`,
    `  ${(summary.elapsedMs / 1000).toFixed(1)} s, ${number(summary.ledgerRowsPerSecond)} ledger rows/s` +
      (databasePath ? `, database file ${(statSync(databasePath).size / 1e6).toFixed(1)} MB` : ''),
    'Story chats (paste one into the lookup box):',
    story,
  ].join('\n');
}

const flags = parseFlags();
const ctx = await openCliContext();
let lastReport = 0;
try {
  const summary = await seedInto(ctx, {
    scale: flags.scale,
    seed: flags.seed,
    anchor: flags.anchor,
    onProgress: ({ ledgerRows, elapsedMs }) => {
      if (elapsedMs - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = elapsedMs;
      process.stderr.write(`seed: ${number(ledgerRows)} ledger rows after ${(elapsedMs / 1000).toFixed(0)} s (${number(Math.round(ledgerRows / (elapsedMs / 1000)))} rows/s)\n`);
    },
  });
  // Closing checkpoints SQLite's write-ahead log into the file, so the size printed is the real one.
  await ctx.database.close();
  process.stdout.write(`${describe(summary, ctx.database.engine === 'sqlite' ? ctx.database.path : null)}\n`);
} catch (error) {
  await ctx.database.close().catch(() => undefined);
  fail(error instanceof DatasetNotEmpty ? error.message : `Seed failed: ${(error as Error).message}`);
}
