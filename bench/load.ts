import autocannon from 'autocannon';
import { cpuSeconds } from './processes.ts';

/** One request as the load generator sends it. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  /** The server's base URL. */
  url: string;
  connections: number;
  /** Run for this long… */
  seconds?: number;
  /** …or send exactly this many requests (then `seconds` is ignored). */
  amount?: number;
  /** Called once per request sent, so every request can differ (another chat, a new idempotency key). */
  next: () => LoadRequest;
  /** The server's process, to charge it the CPU time it spent. */
  serverPid?: number;
}

export interface LoadResult {
  responses: number;
  seconds: number;
  /** Completed responses per second, whatever their status. */
  rate: number;
  /** Exact percentiles in milliseconds, over every response (autocannon's own histogram rounds to whole ms). */
  p50Ms: number;
  p99Ms: number;
  statuses: Record<number, number>;
  /** Connection errors and timeouts: requests that got no answer at all. */
  failures: number;
  /** Server CPU time per response in microseconds (all its threads), when its pid was given. */
  serverCpuUs?: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest-rank: the smallest value with at least `fraction` of the samples at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/**
 * Drives the server with autocannon and records every response's latency
 * itself. autocannon's histogram counts whole milliseconds, too coarse for
 * targets such as "p50 ≤ 1 ms"; its 'response' event gives the time in
 * fractional milliseconds (process.hrtime).
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let failures = 0;
  const cpuBefore = spec.serverPid === undefined ? undefined : cpuSeconds(spec.serverPid);
  const started = performance.now();
  // autocannon reports "done" on its next one-second tick: with `amount`, timing to "done" would
  // round the run up to whole seconds (4,000 grants in 8.0 s instead of 7.2 s). Time to the last answer.
  let lastResponseAt = started;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.seconds ?? 5 }),
        timeout: 30,
        requests: [
          {
            // Each connection builds its first request when it is set up, every later one before it is
            // sent: `next` is called once per request actually sent, so a pool of unique bodies is not wasted.
            setupRequest: (request) => {
              const wanted = spec.next();
              return { ...request, method: wanted.method, path: wanted.path, headers: wanted.headers ?? {}, body: wanted.body ?? '' };
            },
          },
        ],
      },
      (error) => (error ? reject(error) : resolve()),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    instance.on('reqError', () => {
      failures++;
    });
  });
  const seconds = (lastResponseAt - started) / 1000;
  const cpuAfter = spec.serverPid === undefined ? undefined : cpuSeconds(spec.serverPid);
  const sorted = Float64Array.from(latencies).sort();
  return {
    responses: latencies.length,
    seconds,
    rate: latencies.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    statuses,
    failures,
    serverCpuUs: cpuBefore !== undefined && cpuAfter !== undefined && latencies.length > 0 ? ((cpuAfter - cpuBefore) * 1e6) / latencies.length : undefined,
  };
}

/** Statuses other than the expected one, e.g. "404×12, 500×1"; empty when every answer was expected. */
export function unexpectedStatuses(result: LoadResult, expected: number): string {
  return Object.entries(result.statuses)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, count]) => `${status}×${count}`)
    .join(', ');
}

/** The servers of one measurement: each gets an equal share of the connections and requests. */
export interface LoadTarget {
  url: string;
  pid: number;
}

/**
 * runLoad over several instances at once (behind a load balancer, as it were): the connections
 * and the `amount` split evenly, one shared `next`. The result counts every answer; its time is
 * the slowest instance's, its percentiles the higher of the instances', its CPU the instances' sum
 * per answer.
 */
export async function runLoadAcross(targets: readonly LoadTarget[], spec: Omit<LoadSpec, 'url' | 'serverPid'>): Promise<LoadResult> {
  const share = (total: number | undefined, i: number): number | undefined =>
    total === undefined ? undefined : Math.floor(total / targets.length) + (i < total % targets.length ? 1 : 0);
  const results = await Promise.all(
    targets.map((target, i) =>
      runLoad({ ...spec, url: target.url, serverPid: target.pid, connections: share(spec.connections, i) ?? 1, amount: share(spec.amount, i) }),
    ),
  );
  if (results.length === 1) return results[0];
  const responses = results.reduce((sum, result) => sum + result.responses, 0);
  const seconds = Math.max(...results.map((result) => result.seconds));
  const statuses: Record<number, number> = {};
  for (const result of results) {
    for (const [status, count] of Object.entries(result.statuses)) statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
  }
  const cpu = results.every((result) => result.serverCpuUs !== undefined)
    ? results.reduce((sum, result) => sum + (result.serverCpuUs ?? 0) * result.responses, 0) / Math.max(1, responses)
    : undefined;
  return {
    responses,
    seconds,
    rate: responses / seconds,
    p50Ms: Math.max(...results.map((result) => result.p50Ms)),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    statuses,
    failures: results.reduce((sum, result) => sum + result.failures, 0),
    serverCpuUs: cpu,
  };
}
