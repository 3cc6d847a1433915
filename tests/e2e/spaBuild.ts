import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

const distIndex = join(repoRoot, 'client', 'dist', 'index.html');

/** What the SPA bundle is built from; a change to any of them makes client/dist stale. */
const buildInputs = ['client', 'shared', 'vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    if (entry === 'dist' || entry.startsWith(`dist/`)) continue;
    newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  }
  return newest;
}

function spaIsFresh(): boolean {
  if (!existsSync(distIndex)) return false;
  const builtAt = statSync(distIndex).mtimeMs;
  return buildInputs.every((input) => newestMtime(join(repoRoot, input)) <= builtAt);
}

/**
 * Builds the SPA into client/dist when it is missing or older than its sources,
 * so a browser test never passes or fails against yesterday's bundle.
 * Vite runs under this Node directly (not npx) so no wrapper process is left behind.
 */
export async function ensureSpaBuilt(): Promise<void> {
  if (spaIsFresh()) return;
  const viteCli = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteCli)) throw new Error(`Cannot build the SPA: ${viteCli} is missing. Run npm ci first.`);
  const output: string[] = [];
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build:
    // build exactly what `npm start` builds.
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const build = spawn(process.execPath, [viteCli, 'build'], { cwd: repoRoot, env: { ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
    build.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    build.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    build.on('error', reject);
    build.on('close', resolve);
  });
  if (exitCode !== 0 || !existsSync(distIndex)) {
    throw new Error(`vite build failed (exit code ${exitCode}), so there is no SPA to test:\n${output.join('')}`);
  }
}
