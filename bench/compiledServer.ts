import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from '../scripts/buildServer.ts';
import { httpSignIn } from '../tests/server/support/serverProcess.ts';
import { BareReference, type StaffSession } from './httpBench.ts';
import { runLoad, type LoadRequest } from './load.ts';
import { readOptions } from './options.ts';
import { repoRoot } from './paths.ts';
import { startListening, type ListeningProcess } from './processes.ts';
import { readScenarios } from './readScenarios.ts';
import { currentLoad, machine } from './report.ts';
import { pickSamples } from './samples.ts';
import { ensureSeed, removeWorkCopy, workCopy } from './seedCache.ts';
import { prepareWorkDatabase } from './workDatabase.ts';

/**
 * The compiled server against the sources run through tsx, on the same work
 * copy in one run, the two taking turns (tsx, compiled, compiled, tsx, …) so
 * that a change in the machine's other load falls on both: start-up time
 * (spawn to the "listening on" line) and server CPU per request of a trivial
 * signed-in route (GET /api/auth/me) and of the lookup by chat ID, both at 50
 * connections as in `npm run bench`. Prints the figures; writes nothing.
 *
 *   node --import tsx bench/compiledServer.ts [--scale medium] [--rounds 3] [--starts 10]
 */

const CONNECTIONS = 50;
const SECONDS = 5;
const WARMUP_SECONDS = 1;

const log = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const { values } = parseArgs({
  options: {
    scale: { type: 'string' },
    seed: { type: 'string' },
    anchor: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    starts: { type: 'string', default: '10' },
  },
});
const count = (name: 'rounds' | 'starts'): number => {
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number, 1 or more`);
  return value;
};
const rounds = count('rounds');
const starts = count('starts');
// The seed options as `npm run bench` takes them; medium unless told otherwise.
const options = readOptions(
  (['scale', 'seed', 'anchor'] as const).flatMap((name) => (values[name] === undefined ? [] : [`--${name}`, values[name]])),
  { BENCH_SCALE: process.env.BENCH_SCALE ?? 'medium' },
);

const compiled = await buildServer();
const sources = join(repoRoot, 'server', 'main.ts');
type Variant = 'tsx' | 'compiled' | 'compiled, no source maps';
const script: Record<Variant, string> = { tsx: sources, compiled: compiled.main, 'compiled, no source maps': compiled.main };
/** Node's arguments for each: today's `npm run dev:server`, `npm start`, and `npm start` without --enable-source-maps. */
const nodeArguments: Record<Variant, string[]> = {
  tsx: ['--import', 'tsx', sources],
  compiled: ['--enable-source-maps', compiled.main],
  'compiled, no source maps': [compiled.main],
};

const seed = await ensureSeed(options);
const workPath = workCopy(seed);
const startedAt = new Date();
const loadAtStart = currentLoad();
const env = { DATABASE_PATH: workPath, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'off' };
const startup: Record<Variant, number[]> = { tsx: [], compiled: [], 'compiled, no source maps': [] };
const cpu: Record<string, number[]> = {};
const rate: Record<string, number[]> = {};
const servers: ListeningProcess[] = [];
try {
  const samples = pickSamples(workPath, options.anchor);
  const prepared = await prepareWorkDatabase(workPath, samples.customers.map((customer) => customer.id));
  const lookup = readScenarios(samples).find((scenario) => scenario.name === `lookup by chat ID, ${CONNECTIONS} connections`);
  if (!lookup) throw new Error('bench/readScenarios.ts has no lookup by chat ID at 50 connections');

  // Start-up first, on a quiet machine: each variant in turn, `starts` times.
  for (let i = 0; i < starts; i++) {
    for (const variant of Object.keys(startup) as Variant[]) {
      const server = await startListening(script[variant], env, nodeArguments[variant]);
      startup[variant].push(server.startupMs);
      await server.stop();
    }
  }
  log(`start-up (ms): ${Object.entries(startup).map(([variant, ms]) => `${variant} ${ms.map(Math.round).join(' ')}`).join('; ')}`);

  const bareServer = await startListening(join(repoRoot, 'bench', 'bareServer.ts'), {});
  servers.push(bareServer);
  const bare = new BareReference(bareServer.url, bareServer.pid);
  const order: Variant[] = [];
  for (let round = 0; round < rounds; round++) order.push(...((round % 2 ? ['compiled', 'tsx'] : ['tsx', 'compiled']) as Variant[]));
  for (const variant of order) {
    const app = await startListening(script[variant], env, nodeArguments[variant]);
    servers.push(app);
    const session: StaffSession = await httpSignIn(app.url, prepared.lead.email, prepared.lead.password);
    const headers = { cookie: session.cookie };
    const routes: [string, () => LoadRequest, { seconds: number } | { amount: number }][] = [
      ['GET /api/auth/me', () => ({ method: 'GET', path: '/api/auth/me', headers }), { seconds: WARMUP_SECONDS }],
      ['lookup by chat ID', () => ({ method: 'GET', path: lookup.nextPath(), headers }), { amount: lookup.warmupRequests ?? samples.chats.length }],
    ];
    for (const [route, next, warmup] of routes) {
      await runLoad({ url: app.url, connections: CONNECTIONS, ...warmup, next });
      const result = await runLoad({ url: app.url, connections: CONNECTIONS, seconds: SECONDS, next, serverPid: app.pid });
      if (result.statuses[200] !== result.responses) throw new Error(`${route} (${variant}) answered ${JSON.stringify(result.statuses)}`);
      const key = `${route}|${variant}`;
      (cpu[key] ??= []).push(result.serverCpuUs ?? Number.NaN);
      (rate[key] ??= []).push(result.rate);
      log(`  ${variant}: ${route} ${Math.round(result.rate)} req/s, ${Math.round(result.serverCpuUs ?? 0)} µs CPU/req`);
    }
    const reference = await bare.at(CONNECTIONS, true);
    (cpu[`bare|${variant}`] ??= []).push(reference.serverCpuUs ?? Number.NaN);
    (rate[`bare|${variant}`] ??= []).push(reference.rate);
    await app.stop();
    servers.splice(servers.indexOf(app), 1);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  removeWorkCopy(workPath);
}

const cell = (values: number[]): string => `${Math.round(median(values)).toLocaleString('en-US')} (${values.map((v) => Math.round(v).toLocaleString('en-US')).join(', ')})`;
const lines = [
  `Date: ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machine()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${currentLoad().toFixed(1)} at the end`,
  `Dataset: \`${seed.meta.scale}\` seed ${seed.meta.seed}; ${rounds} rounds of ${CONNECTIONS} connections × ${SECONDS} s per route and variant; median (each round)`,
  '',
  '| measurement | tsx (sources) | compiled |',
  '| --- | ---: | ---: |',
  `| start-up, spawn → "listening on", ms | ${cell(startup.tsx)} | ${cell(startup.compiled)} |`,
  ...['GET /api/auth/me', 'lookup by chat ID', 'bare'].flatMap((route) => [
    `| ${route === 'bare' ? 'bare Express route (reference, same rounds)' : route}: server CPU µs/req | ${cell(cpu[`${route}|tsx`])} | ${cell(cpu[`${route}|compiled`])} |`,
    `| ${route === 'bare' ? 'bare Express route (reference, same rounds)' : route}: req/s | ${cell(rate[`${route}|tsx`])} | ${cell(rate[`${route}|compiled`])} |`,
  ]),
  '',
  `Compiled without --enable-source-maps, start-up: ${cell(startup['compiled, no source maps'])} ms.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
