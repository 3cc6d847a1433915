import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';
import { benchmarksFile, repoRoot } from './paths.ts';
import { cells, columns, formatNumber, numericColumns, verdict, type BenchRow } from './results.ts';
import type { CachedSeed } from './seedCache.ts';

export interface RunReport {
  command: string;
  startedAt: Date;
  seconds: number;
  seed: CachedSeed;
  rows: BenchRow[];
  bare: [number, LoadResult][];
  /** Facts about this run's database beyond the seed (staff, audit events appended). */
  notes: string[];
  /** The 1-minute load average when the measurements started: above the core count, other work shared the machine. */
  loadAtStart: number;
}

/** The 1-minute load average, to show whether the machine was quiet. */
export const currentLoad = (): number => loadavg()[0] ?? 0;

export function machine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${model} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${type()} ${release()}, Node ${process.version}`;
}

/** The plain-text table printed at the end of a run. */
export function consoleTable(rows: BenchRow[]): string {
  const table = [columns, ...rows.map(cells)];
  const widths = columns.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]): string => row.map((cell, i) => (numericColumns.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

function markdownTable(rows: BenchRow[]): string {
  const header = `| ${columns.join(' | ')} |`;
  const rule = `| ${columns.map((_, i) => (numericColumns.has(i) ? '---:' : '---')).join(' | ')} |`;
  const body = rows.map((row) => `| ${cells(row).map(escapeCell).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

const mib = (bytes: number): string => `${formatNumber(bytes / 2 ** 20)} MiB`;

/** BENCHMARKS.md: the hand-written method and findings (bench/method.md, bench/findings.md) around the figures of this run. */
export function writeBenchmarks(report: RunReport): void {
  const { seed, rows } = report;
  const method = readFileSync(join(repoRoot, 'bench', 'method.md'), 'utf8').trim();
  const findings = readFileSync(join(repoRoot, 'bench', 'findings.md'), 'utf8').trim();
  const counts = Object.entries(seed.meta.counts)
    .map(([table, count]) => `${table} ${count.toLocaleString('en-US')}`)
    .join(', ');
  const failing = rows.filter((row) => verdict(row) === 'FAIL');
  const missing = rows.filter((row) => row.outcome !== 'measured');
  const notes = rows.filter((row) => row.note).map((row) => `- **${row.name}**: ${row.note}`);
  const text = `# Benchmarks

${method}

## Latest run

- **Command**: \`${report.command}\`
- **Date**: ${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (the whole run took ${Math.round(report.seconds)} s)
- **Machine**: ${machine()}; 1-minute load average ${report.loadAtStart.toFixed(1)} when the measurements started and ${currentLoad().toFixed(1)} at the end${report.loadAtStart > cpus().length ? ' (**other work was running: figures are lower bounds**)' : ''}
- **Dataset**: \`${seed.meta.scale}\` seed ${seed.meta.seed}, anchor ${seed.meta.anchor}; ${mib(seed.bytes)} on disk; ${counts}
- **Seed**: ${seed.meta.builtBy === 'adopted' ? `adopted into the cache on ${seed.meta.builtAt.slice(0, 10)} from a database \`npm run seed\` built outside the bench (BENCH_SEED_DB)` : `built on ${seed.meta.builtAt.slice(0, 10)} by \`npm run seed\` in ${formatNumber(seed.meta.seconds ?? 0)} s`}
${[...seed.notes, ...report.notes].map((note) => `- ${note}`).join('\n')}

${markdownTable(rows)}

**Summary**: ${rows.filter((row) => verdict(row) === 'pass').length} targets met, ${failing.length} missed${failing.length ? ` (${failing.map((row) => row.name).join('; ')})` : ''}${missing.length ? `, ${missing.length} not measured (${missing.map((row) => row.name).join('; ')})` : ''}.

Bare Express JSON route (the reference): ${report.bare.map(([connections, result]) => `${formatNumber(result.rate)} req/s at ${connections} connection${connections > 1 ? 's' : ''} (p50 ${result.p50Ms.toFixed(2)} ms${result.serverCpuUs === undefined ? '' : `, ${Math.round(result.serverCpuUs)} µs CPU/req`})`).join('; ')}.

### Notes on the rows

${notes.join('\n')}

${findings}
`;
  writeFileSync(benchmarksFile, text);
}
