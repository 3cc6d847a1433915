import { parseArgs } from 'node:util';
import { scales, type Scale } from '../server/seed/dataset.ts';

export interface BenchOptions {
  scale: Scale;
  seed: number;
  /** The seed's time anchor (YYYY-MM-DD). Fixed, so the cached database stays valid from day to day. */
  anchor: string;
  /** Write BENCHMARKS.md (on by default; off for a trial run that must not replace the published figures). */
  writeReport: boolean;
  /** Build the seed again even if it is cached (after the seed code or a migration changed). */
  rebuild: boolean;
}

export const usage = `Usage: npm run bench -- [--scale small|medium|large] [--seed N] [--anchor YYYY-MM-DD] [--rebuild] [--no-report]
  BENCH_SCALE sets the scale too (the flag wins). The targets are stated for the large scale.`;

const DEFAULT_SEED = 1;
const DEFAULT_ANCHOR = '2026-11-01';

export class UsageError extends Error {}

const isScale = (value: string): value is Scale => (scales as readonly string[]).includes(value);

/** Reads the command line and BENCH_SCALE; throws UsageError with the reason on bad input. */
export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      anchor: { type: 'string' },
      'no-report': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
    },
  });
  const scale = values.scale ?? env.BENCH_SCALE ?? 'large';
  if (!isScale(scale)) throw new UsageError(`--scale must be one of ${scales.join(', ')}, not "${scale}"`);
  const seed = Number(values.seed ?? DEFAULT_SEED);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError('--seed must be a whole number, 0 or more');
  const anchor = values.anchor ?? DEFAULT_ANCHOR;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(anchor) || Number.isNaN(Date.parse(`${anchor}T00:00:00Z`))) {
    throw new UsageError('--anchor must be a date, YYYY-MM-DD');
  }
  return { scale, seed, anchor, writeReport: !values['no-report'], rebuild: values.rebuild };
}
