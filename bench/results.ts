/**
 * A figure a row can be judged on. `value` is the row's main figure in its own unit (req/s, events/s, kB);
 * `ceilingRatio` a rate of ledger rows as a share of the ledger table insert ceiling of the same run.
 */
export type Metric = 'p50Ms' | 'p99Ms' | 'value' | 'ratio' | 'ceilingRatio';

/** One bound of a performance target (the target column of BENCHMARKS.md). */
export interface Check {
  metric: Metric;
  atMost?: number;
  atLeast?: number;
}

export type Outcome = 'measured' | 'not available' | 'not measured';

/** One line of the results table. */
export interface BenchRow {
  name: string;
  p50Ms?: number;
  p99Ms?: number;
  /** The main figure: a throughput, a rate, a size. */
  value?: number;
  unit?: string;
  /** Throughput as a share of the bare Express route at the same concurrency. */
  ratio?: number;
  /** Ledger rows per second as a share of the ledger table insert ceiling measured in the same run. */
  ceilingRatio?: number;
  /** Server CPU time per request (µs): what the work costs, whatever else shares the machine. */
  cpuUs?: number;
  checks: Check[];
  /** False when a correctness condition of the target broke (a grant applied twice, an entry lost): FAIL whatever the speed. */
  correct?: boolean;
  outcome: Outcome;
  /** What was measured exactly, or why it was not. */
  note?: string;
}

export type Verdict = 'pass' | 'FAIL' | '—' | 'n/a';

function figure(row: BenchRow, metric: Metric): number | undefined {
  return row[metric];
}

/** pass when every bound holds, FAIL when one does not, — for rows without a target, n/a when not measured. */
export function verdict(row: BenchRow): Verdict {
  if (row.outcome !== 'measured') return 'n/a';
  if (row.correct === false) return 'FAIL';
  if (row.checks.length === 0) return '—';
  const holds = row.checks.every((check) => {
    const value = figure(row, check.metric);
    if (value === undefined || Number.isNaN(value)) return false;
    return (check.atMost === undefined || value <= check.atMost) && (check.atLeast === undefined || value >= check.atLeast);
  });
  return holds ? 'pass' : 'FAIL';
}

const grouped = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Whole numbers from 1,000 up; below that one or two decimals, so 499.6 against "≥ 500" does not read as 500. */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 1000) return grouped(value);
  if (Math.abs(value) >= 100) return value.toFixed(1);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A target's bound as a person writes it: 5, 0.5, 3,000. */
const boundText = (value: number): string => (Number.isInteger(value) ? grouped(value) : String(value));

function describeCheck(check: Check, unit: string | undefined): string {
  const bound = check.atMost !== undefined ? `≤ ${boundText(check.atMost)}` : `≥ ${boundText(check.atLeast ?? 0)}`;
  switch (check.metric) {
    case 'p50Ms':
      return `p50 ${bound} ms`;
    case 'p99Ms':
      return `p99 ${bound} ms`;
    case 'ratio':
      return `${bound}× bare`;
    case 'ceilingRatio':
      return `${bound}× insert ceiling`;
    case 'value':
      return `${bound} ${unit ?? ''}`.trim();
  }
}

export const targetText = (row: BenchRow): string => row.checks.map((check) => describeCheck(check, row.unit)).join(', ') || '—';

const ms = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '' : value < 10 ? value.toFixed(2) : value.toFixed(1));

/** The table's cells for one row, in column order. */
export function cells(row: BenchRow): string[] {
  const measured = row.outcome === 'measured';
  return [
    row.name,
    measured ? ms(row.p50Ms) : '',
    measured ? ms(row.p99Ms) : '',
    measured && row.value !== undefined ? `${formatNumber(row.value)} ${row.unit ?? ''}`.trim() : row.outcome === 'measured' ? '' : row.outcome,
    measured && row.ratio !== undefined ? `${row.ratio.toFixed(2)}×` : '',
    measured && row.cpuUs !== undefined ? (row.cpuUs >= 100 ? grouped(row.cpuUs) : row.cpuUs.toFixed(1)) : '',
    targetText(row),
    verdict(row),
  ];
}

export const columns = ['measurement', 'p50 ms', 'p99 ms', 'throughput / figure', '× bare', 'server CPU µs/req', 'target', 'result'];
/** Columns holding figures, right-aligned. */
export const numericColumns = new Set([1, 2, 3, 4, 5]);
