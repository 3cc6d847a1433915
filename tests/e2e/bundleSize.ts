import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './paths.ts';

/** The budget (BENCHMARKS.md): the SPA's initial JS is at most 330 kB gzip (kB = 1,000 bytes). */
export const INITIAL_JS_BUDGET_KB = 330;

const distDir = join(repoRoot, 'client', 'dist');

/**
 * The JS a first visit downloads before anything else: the entry script and
 * the chunks index.html preloads, each gzipped with zlib's default level.
 * Lazy chunks are left out (they come when their screen opens).
 */
export function initialJsGzipKb(): { files: string[]; kb: number } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map((match) => match[1]);
  const missing = files.filter((file) => !existsSync(join(distDir, file)));
  if (files.length === 0 || missing.length > 0) throw new Error(`client/dist/index.html names ${files.length} scripts, ${missing.length} missing`);
  const kb = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(distDir, file))).length / 1000, 0);
  return { files, kb };
}
