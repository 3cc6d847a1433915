import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureSpaBuilt } from '../tests/e2e/spaBuild.ts';
import { repoRoot } from './paths.ts';
import type { BenchRow } from './results.ts';

export const distDir = join(repoRoot, 'client', 'dist');
/** Target: initial JS ≤ 330 kB gzip (kB = 1,000 bytes). */
const BUDGET_KB = 330;

/** A file's size gzipped with zlib's default level, in kB (1,000 bytes). */
export const gzipKb = (file: string): number => gzipSync(readFileSync(file)).length / 1000;

/**
 * The JS a first visit downloads before anything else: the entry script and
 * the chunks index.html preloads, each gzipped with zlib's default level.
 * Lazy chunks are left out (they come when their screen opens).
 */
export async function measureSpaBundle(): Promise<BenchRow> {
  const name = 'SPA initial JS (gzip)';
  const checks = [{ metric: 'value' as const, atMost: BUDGET_KB }];
  try {
    // Builds when client/dist is missing or older than its sources, so the figure is today's bundle.
    await ensureSpaBuilt();
  } catch (error) {
    return { name, checks, outcome: 'not measured', note: `the SPA did not build: ${(error as Error).message.split('\n')[0]}` };
  }
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map((match) => match[1]);
  const missing = initial.filter((file) => !existsSync(join(distDir, file)));
  if (initial.length === 0 || missing.length > 0) {
    return { name, checks, outcome: 'not measured', note: `index.html names ${initial.length} scripts, ${missing.length} missing` };
  }
  const initialKb = initial.reduce((sum, file) => sum + gzipKb(join(distDir, file)), 0);
  const allJs = readdirSync(join(distDir, 'assets')).filter((file) => file.endsWith('.js'));
  const allKb = allJs.reduce((sum, file) => sum + gzipKb(join(distDir, 'assets', file)), 0);
  return {
    name,
    checks,
    outcome: 'measured',
    value: initialKb,
    unit: 'kB',
    note: `${initial.length} initial files; all ${allJs.length} JS files together ${Math.round(allKb)} kB gzip`,
  };
}
