import type { Check } from './results.ts';
import { cycle, type Samples } from './samples.ts';

/** One GET endpoint under load: which requests, how hard, and the target it is held to. */
export interface ReadScenario {
  name: string;
  connections: number;
  seconds: number;
  /** The next request's path (and query), drawn from the samples. */
  nextPath: () => string;
  checks: Check[];
  /** What the reader should know about the requests (the date range, the input). */
  note?: string;
  /**
   * Requests to send before measuring: one pass over the samples, so every row
   * asked for has been read once ("warm" in the targets). Without it, 1 s.
   */
  warmupRequests?: number;
}

const DAY_MS = 86_400_000;
const LATENCY_SECONDS = 5;
const THROUGHPUT_SECONDS = 5;
const LIST_SECONDS = 3;

/**
 * Target: lookup p99 ≤ 5 ms (one connection); ≥ 3,000 req/s and ≥ 0.6× bare Express (50
 * connections) — the product asks 0.5×; 0.6× is the margin that keeps a slower day above it.
 */
const lookupLatency: Check[] = [{ metric: 'p99Ms', atMost: 5 }];
const lookupThroughput: Check[] = [
  { metric: 'value', atLeast: 3000 },
  { metric: 'ratio', atLeast: 0.6 },
];
/** Target: a page of 50 ledger entries by customer or chat and date range: p50 ≤ 1 ms, p99 ≤ 5 ms warm. */
const ledgerPage: Check[] = [
  { metric: 'p50Ms', atMost: 1 },
  { metric: 'p99Ms', atMost: 5 },
];
/** Target: any list page, its total included, any filter the UI offers: p99 ≤ 50 ms. */
const listPage: Check[] = [{ metric: 'p99Ms', atMost: 50 }];

const q = (value: unknown): string => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));

/** A simple-REST list request, as react-admin's data provider sends it. */
export function listPath(resource: string, filter: Record<string, unknown>, range: [number, number], sort: [string, 'ASC' | 'DESC']): string {
  return `/api/${resource}?filter=${q(filter)}&range=${q(range)}&sort=${q(sort)}`;
}

/** A chat URL as pasted from a ticket: the studio's app link, the id as a path segment, query noise after it. */
const chatUrl = (chatId: string): string => `https://studio.example.com/app/chats/${chatId}?tab=runs&utm_source=helpdesk`;

export function readScenarios(samples: Samples): ReadScenario[] {
  const chat = cycle(samples.chats);
  const customer = cycle(samples.customers);
  const eligibility = cycle(samples.eligibilitySets);
  const runWithAssets = cycle(samples.generationsWithAssets);
  const anchor = Date.parse(samples.anchorIso);
  const ninetyDaysBack = new Date(anchor - 90 * DAY_MS).toISOString();
  const lookupById = () => `/api/lookup?q=${q(chat().id)}`;
  const lookupByUrl = () => `/api/lookup?q=${q(chatUrl(chat().id))}`;
  const onePass = Math.max(samples.chats.length, samples.customers.length);
  const list = (name: string, nextPath: () => string, sampled = false): ReadScenario => ({
    name: `list: ${name}`,
    connections: 1,
    seconds: LIST_SECONDS,
    nextPath,
    checks: listPage,
    ...(sampled ? { warmupRequests: onePass } : {}),
  });

  return [
    { name: 'lookup by chat ID', connections: 1, seconds: LATENCY_SECONDS, nextPath: lookupById, checks: lookupLatency, warmupRequests: onePass },
    { name: 'lookup by chat URL', connections: 1, seconds: LATENCY_SECONDS, nextPath: lookupByUrl, checks: lookupLatency, warmupRequests: onePass },
    { name: 'lookup by chat ID, 50 connections', connections: 50, seconds: THROUGHPUT_SECONDS, nextPath: lookupById, checks: lookupThroughput },
    { name: 'lookup by chat URL, 50 connections', connections: 50, seconds: THROUGHPUT_SECONDS, nextPath: lookupByUrl, checks: lookupThroughput },
    {
      name: 'ledger page of 50 by chat + date range',
      connections: 1,
      seconds: LATENCY_SECONDS,
      nextPath: () => {
        const { id, created_at } = chat();
        return listPath('transactions', { chat_id: id, created_at_gte: created_at }, [0, 49], ['created_at', 'DESC']);
      },
      checks: ledgerPage,
      warmupRequests: onePass,
    },
    {
      name: 'ledger page of 50 by customer + date range',
      connections: 1,
      seconds: LATENCY_SECONDS,
      nextPath: () =>
        listPath('transactions', { customer_id: customer().id, created_at_gte: ninetyDaysBack, created_at_lte: samples.anchorIso }, [0, 49], ['created_at', 'DESC']),
      checks: ledgerPage,
      note: 'the last 90 days of the seed',
      warmupRequests: onePass,
    },
    // The lists the screens open, with the page size and sort each screen uses.
    list('customers, by name', () => listPath('customers', {}, [0, 24], ['name', 'ASC'])),
    list('customers, q = name prefix (3 letters)', () => listPath('customers', { q: customer().name.slice(0, 3) }, [0, 24], ['name', 'ASC']), true),
    list('customers, plan', () => listPath('customers', { plan: 'pro' }, [0, 24], ['name', 'ASC'])),
    list('chats, newest', () => listPath('chats', {}, [0, 24], ['created_at', 'DESC'])),
    list('chats by customer', () => listPath('chats', { customer_id: customer().id }, [0, 24], ['created_at', 'DESC']), true),
    list('runs, newest', () => listPath('generations', {}, [0, 24], ['started_at', 'DESC'])),
    list('runs, refund state missing', () => listPath('generations', { refund_state: 'refund_missing' }, [0, 24], ['started_at', 'DESC'])),
    list('runs, status failed', () => listPath('generations', { status: 'failed' }, [0, 24], ['started_at', 'DESC'])),
    list('runs, tool video', () => listPath('generations', { tool: 'video' }, [0, 24], ['started_at', 'DESC'])),
    list('runs by chat (chat review)', () => listPath('generations', { chat_id: chat().id }, [0, 49], ['started_at', 'ASC']), true),
    list('runs by customer', () => listPath('generations', { customer_id: customer().id }, [0, 24], ['started_at', 'DESC']), true),
    list('ledger, newest (capped total)', () => listPath('transactions', {}, [0, 24], ['created_at', 'DESC'])),
    list('ledger, kind auto-refund', () => listPath('transactions', { kind: 'auto_refund' }, [0, 24], ['created_at', 'DESC'])),
    list('ledger, kind manual credit', () => listPath('transactions', { kind: 'manual_credit' }, [0, 24], ['created_at', 'DESC'])),
    list('ledger, tool video', () => listPath('transactions', { tool: 'video' }, [0, 24], ['created_at', 'DESC'])),
    list('ledger by customer (customer 360)', () => listPath('transactions', { customer_id: customer().id }, [0, 49], ['created_at', 'DESC']), true),
    list('ledger by chat (chat review)', () => listPath('transactions', { chat_id: chat().id }, [0, 49], ['created_at', 'ASC']), true),
    list('assets by run', () => listPath('assets', { generation_id: runWithAssets() }, [0, 24], ['created_at', 'ASC']), true),
    list('credits, newest', () => listPath('credits', {}, [0, 24], ['created_at', 'DESC'])),
    list('audit, newest', () => listPath('audit', {}, [0, 24], ['at', 'DESC'])),
    list('audit by customer', () => listPath('audit', { customer_id: customer().id }, [0, 24], ['at', 'DESC']), true),
    {
      name: 'eligibility of a chat’s runs (≤ 5)',
      connections: 1,
      seconds: LATENCY_SECONDS,
      nextPath: () => `/api/credits/eligibility?generation_ids=${q(eligibility().join(','))}`,
      checks: [],
      note: 'no target set for it',
      warmupRequests: samples.eligibilitySets.length,
    },
  ];
}
