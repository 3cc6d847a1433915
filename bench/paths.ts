import { join } from 'node:path';

/** The repository root: bench/ sits directly under it. */
export const repoRoot = join(import.meta.dirname, '..');

/** Built seeds and per-run work copies; gitignored, safe to delete at any time. */
export const cacheDir = join(repoRoot, 'bench', '.cache');

export const benchmarksFile = join(repoRoot, 'BENCHMARKS.md');
