import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { MAX_EVENTS_PER_BATCH, type IngestResult } from '../../shared/ingestEvents.ts';
import { fail, openCliContext } from './cliContext.ts';

const file = process.argv[2];
if (!file || process.argv.length > 3) fail('Usage: npm run import -- FILE.ndjson   (one ingestion event per line)');
if (!existsSync(file)) fail(`${file}: no such file.`);

const ctx = openCliContext();
const totals = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
const shownRejections: string[] = [];
const started = performance.now();
let lastProgress = started;
let batch: unknown[] = [];

/** Same code path as POST /api/ingest/events, minus the signature: one transaction per 1000 events. */
function flush(): void {
  if (batch.length === 0) return;
  const result: IngestResult = ctx.ingest.ingest(batch, { requestId: `import:${file}`, clientIp: null });
  totals.accepted += result.accepted;
  totals.duplicates += result.duplicates;
  totals.rejected += result.rejected.length;
  for (const r of result.rejected) if (shownRejections.length < 20) shownRejections.push(`${r.id ?? '(no id)'}: ${r.error}`);
  batch = [];
  const now = performance.now();
  if (now - lastProgress > 2000) {
    lastProgress = now;
    process.stderr.write(`… ${totals.lines} lines, ${Math.round(totals.lines / ((now - started) / 1000))} events/s\n`);
  }
}

const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  totals.lines++;
  try {
    batch.push(JSON.parse(line));
  } catch {
    totals.rejected++;
    if (shownRejections.length < 20) shownRejections.push(`line ${totals.lines}: not valid JSON`);
  }
  if (batch.length >= MAX_EVENTS_PER_BATCH) flush();
}
flush();
ctx.db.close();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `Imported ${file}: ${totals.lines} events, ${totals.accepted} accepted, ${totals.duplicates} duplicates, ${totals.rejected} rejected ` +
    `in ${seconds.toFixed(2)} s (${Math.round(totals.lines / Math.max(seconds, 0.001))} events/s).\n`,
);
if (shownRejections.length > 0) process.stdout.write(`Rejected:\n${shownRejections.map((r) => `  - ${r}`).join('\n')}\n`);
