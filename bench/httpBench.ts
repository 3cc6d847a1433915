import { runLoad, unexpectedStatuses, type LoadRequest, type LoadResult } from './load.ts';
import type { ReadScenario } from './readScenarios.ts';
import type { BenchRow } from './results.ts';

/** A short run before a measurement without samples to go through, so statements are prepared and pages cached. */
const WARMUP_SECONDS = 1;

/** The cookie and CSRF header of a signed-in staff member. */
export interface StaffSession {
  cookie: string;
  csrf: string;
}

/**
 * The bare Express route's throughput per concurrency level, measured in this
 * run: each endpoint is compared with it at the same number of connections.
 * Where a target is a ratio, it is measured again right before the endpoint,
 * so a change in the machine's other load does not skew the ratio.
 */
export class BareReference {
  private readonly rates = new Map<number, LoadResult>();

  constructor(
    private readonly url: string,
    private readonly pid: number,
  ) {}

  async at(connections: number, fresh = false): Promise<LoadResult> {
    const known = this.rates.get(connections);
    if (known && !fresh) return known;
    const next = (): LoadRequest => ({ method: 'GET', path: '/ping' });
    await runLoad({ url: this.url, connections, seconds: WARMUP_SECONDS, next });
    const result = await runLoad({ url: this.url, connections, seconds: 5, next, serverPid: this.pid });
    this.rates.set(connections, result);
    return result;
  }

  measured(): [number, LoadResult][] {
    return [...this.rates.entries()].sort(([a], [b]) => a - b);
  }
}

/** Asks once, so an endpoint that does not exist yet (404) or fails is reported instead of being hammered. */
export async function probe(url: string, request: LoadRequest): Promise<string | undefined> {
  const res = await fetch(`${url}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  if (res.ok) {
    await res.arrayBuffer();
    return undefined;
  }
  const text = await res.text();
  let message = text.slice(0, 160);
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    message = [body.code, body.message].filter(Boolean).join(': ');
  } catch {
    // Not JSON: the start of the text says enough.
  }
  return `HTTP ${res.status}${message ? ` (${message})` : ''}`;
}

/** The row's note: what the scenario says about itself, then any answer other than `expected` and any request left unanswered. */
export function loadNote(result: LoadResult, expected: number, extra?: string): string | undefined {
  const parts = [extra];
  const unexpected = unexpectedStatuses(result, expected);
  if (unexpected) parts.push(`unexpected answers: ${unexpected}`);
  if (result.failures > 0) parts.push(`${result.failures} requests got no answer`);
  const text = parts.filter(Boolean).join('; ');
  return text || undefined;
}

/** The server under test: where it listens and which process to charge for CPU. */
export interface AppServer {
  url: string;
  pid: number;
}

export async function measureRead(scenario: ReadScenario, app: AppServer, session: StaffSession, bare: BareReference): Promise<BenchRow> {
  const headers = { cookie: session.cookie };
  const next = (): LoadRequest => ({ method: 'GET', path: scenario.nextPath(), headers });
  const base = { name: scenario.name, checks: scenario.checks };
  const problem = await probe(app.url, next());
  if (problem) return { ...base, outcome: 'not available', note: problem };
  const ratioTarget = scenario.checks.some((check) => check.metric === 'ratio');
  if (ratioTarget) await bare.at(scenario.connections, true);

  const warmup = scenario.warmupRequests === undefined ? { seconds: WARMUP_SECONDS } : { amount: scenario.warmupRequests };
  await runLoad({ url: app.url, connections: scenario.connections, ...warmup, next });
  const result = await runLoad({ url: app.url, connections: scenario.connections, seconds: scenario.seconds, next, serverPid: app.pid });
  const reference = await bare.at(scenario.connections);
  return {
    ...base,
    outcome: 'measured',
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    value: result.rate,
    unit: 'req/s',
    ratio: result.rate / reference.rate,
    cpuUs: result.serverCpuUs,
    note: loadNote(result, 200, scenario.note),
  };
}
