import type { CustomerUpsert, GenerationFinish, GenerationStart } from '../../../db/repositories/ingestRepository.ts';
import type {
  HistoryAssetRow,
  HistoryChatRow,
  HistoryCustomerRow,
  HistoryGenerationRow,
  ProcessedEventRow,
  RecordIds,
  RejectionRow,
  StoredRecordsFound,
  StoredRun,
  StoredTransaction,
} from '../../../db/repositories/historyImportRepository.ts';
import type { NewLedgerEntry } from '../../../db/repositories/ledgerRepository.ts';
import type { IngestData, IngestEventType } from '../../../shared/ingestEvents.ts';
import { chargeProblem, chatClaimProblem, refundProblem, runStartProblem } from '../ingestRules.ts';

/** An event as validated by the shared zod schemas (times normalised to UTC with milliseconds). */
export interface HistoryEvent {
  id: string;
  type: IngestEventType;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * One unit of a chunk: a line of the file (`end` is the byte offset just past
 * it), valid or not, or an event that waited in import_waiting and whose parent
 * is stored now (`waited`).
 */
export type WindowItem =
  | { line: number; end: number; event: HistoryEvent }
  | { line: number; end: number; id: string | null; error: string }
  | { line: number; waited: true; event: HistoryEvent };

/** What the window is checked against: the database as the chunk's transaction sees it. */
export interface StoredRecords {
  /**
   * Every id at once, before any of the window's writes: which events were
   * processed before or wait (ingest_held, import_waiting), and the records.
   * The single reads below serve what only the window's own events reveal
   * (the run of a stored charge).
   */
  prefetch(ids: RecordIds): StoredRecordsFound;
  customerBalance(id: string): number | undefined;
  chatOwner(id: string): string | undefined;
  run(id: string): StoredRun | undefined;
  transaction(id: string): StoredTransaction | undefined;
  isReversed(chargeId: string): boolean;
}

export interface WindowCounts {
  /** Lines of the file (not blank) in the window. */
  events: number;
  applied: number;
  duplicates: number;
  rejected: number;
}

/**
 * The writes that apply a window: new records once each in their final state
 * (customers, chats, runs, then ledger entries and assets, parents first),
 * upserts of records already stored, and the import's bookkeeping.
 */
export interface WindowPlan {
  newCustomers: HistoryCustomerRow[];
  storedCustomers: CustomerUpsert[];
  newChats: HistoryChatRow[];
  storedChats: HistoryChatRow[];
  newRuns: HistoryGenerationRow[];
  storedRunStarts: GenerationStart[];
  storedRunFinishes: GenerationFinish[];
  ledger: NewLedgerEntry[];
  assets: HistoryAssetRow[];
  processed: ProcessedEventRow[];
  /** Events whose parent is nowhere yet: they wait in import_waiting. */
  waiting: { line: number; waitsFor: string; event: HistoryEvent }[];
  /**
   * Events that waited for a parent at some point of the fold, in memory or in `waiting`: live
   * ingestion holds each of those in ingest_held, so a batch with any is not folded there.
   */
  parked: number;
  /** Lines of the waited events this window took out of import_waiting. */
  waitedLines: number[];
  /** Records this window stored (`customer:cus_1`, `txn:t_1`, …): events waiting for them are ready now. */
  storedKeys: string[];
  rejections: Omit<RejectionRow, 'file_key'>[];
  /**
   * Events the live ingestion path applies after the rows above, in order:
   * studio echoes of credit events, and auto-refunds of runs that console
   * credits cover (the credit is undone first, invariant 7). Checked like the
   * rest; rare in a history.
   */
  throughLivePath: { line: number; event: HistoryEvent }[];
  counts: WindowCounts;
}

/** A valid event the database's records contradict. */
class Rejected extends Error {}

interface CustomerState {
  stored: boolean;
  balance: number;
  upsert: CustomerUpsert | null;
}

interface ChatState {
  stored: boolean;
  customer_id: string;
  upsert: HistoryChatRow | null;
}

interface RunState {
  stored: boolean;
  customer_id: string;
  chat_id: string;
  tool: string;
  charge_id: string | null;
  source_at: string;
  status_at: string;
  credit_tokens: number;
  start: GenerationStart | null;
  finish: GenerationFinish | null;
}

interface TransactionState extends StoredTransaction {
  /** Whether an auto-refund reverses it; asked of the database only when needed. */
  reversed: boolean | undefined;
  /** Set for the entries this window writes. */
  created_at?: string;
  reverses_id?: string | null;
}

type Outcome = 'applied' | 'no_effect' | 'live';

const sourceAt = (event: HistoryEvent): string => `${event.occurredAt}|${event.id}`;

/** The ids the window's events name, each once, by what they are (what StoredRecords.prefetch is asked for). */
export function idsOf(items: readonly WindowItem[]): RecordIds {
  const events = new Set<string>();
  const customers = new Set<string>();
  const chats = new Set<string>();
  const runs = new Set<string>();
  const transactions = new Set<string>();
  const charges = new Set<string>();
  for (const item of items) {
    if (!('event' in item)) continue;
    const { event } = item;
    if (!('waited' in item)) events.add(event.id);
    const d = event.data;
    switch (event.type) {
      case 'customer.upserted':
        customers.add(String(d.id));
        break;
      case 'chat.created':
        customers.add(String(d.customer_id));
        chats.add(String(d.id));
        break;
      case 'generation.started':
        chats.add(String(d.chat_id));
        runs.add(String(d.id));
        break;
      case 'generation.succeeded':
      case 'generation.failed':
        runs.add(String(d.id));
        break;
      case 'asset.created':
        runs.add(String(d.generation_id));
        break;
      case 'tokens.charged':
        transactions.add(String(d.transaction_id));
        runs.add(String(d.generation_id));
        customers.add(String(d.customer_id));
        break;
      case 'tokens.refunded':
        transactions.add(String(d.transaction_id));
        transactions.add(String(d.charge_transaction_id));
        charges.add(String(d.charge_transaction_id));
        customers.add(String(d.customer_id));
        break;
      case 'tokens.purchased':
      case 'tokens.plan_granted':
        transactions.add(String(d.transaction_id));
        customers.add(String(d.customer_id));
        break;
      default:
        break;
    }
  }
  return { events: [...events], customers: [...customers], chats: [...chats], runs: [...runs], transactions: [...transactions], charges: [...charges] };
}

/**
 * Folds a window of events, in order, into the writes that apply them: the
 * same rules as the live ingestion path (ingestService.ts, ingestRules.ts),
 * checked against the stored records and the window's own earlier events, so
 * that the chunk's inserts meet every constraint and trigger. The result
 * equals applying the events one by one: upserts keep the latest
 * `occurred_at`, a run's status its latest outcome, and each ledger entry
 * carries the running balance in the order the entries are written. An event
 * whose parent is missing waits, in memory until the parent comes later in
 * the window, else in import_waiting.
 */
export function foldWindow(items: readonly WindowItem[], stored: StoredRecords, recordedAt: string): WindowPlan {
  const plan: WindowPlan = {
    newCustomers: [], storedCustomers: [], newChats: [], storedChats: [], newRuns: [], storedRunStarts: [], storedRunFinishes: [],
    ledger: [], assets: [], processed: [], waiting: [], parked: 0, waitedLines: [], storedKeys: [], rejections: [], throughLivePath: [],
    counts: { events: 0, applied: 0, duplicates: 0, rejected: 0 },
  };
  // Each record is read from the database at most once per window (a miss is remembered as null).
  const customers = new Map<string, CustomerState | null>();
  const chats = new Map<string, ChatState | null>();
  const runs = new Map<string, RunState | null>();
  const transactions = new Map<string, TransactionState | null>();
  /** Event ids applied, without effect, or waiting in this window: a repeat is a duplicate. */
  const seen = new Set<string>();
  const waitingFor = new Map<string, { line: number; event: HistoryEvent }[]>();
  const storedKeys = new Set<string>();

  // Every record the window names, read at once; later reads are answered from these maps.
  const ids = idsOf(items);
  const found = stored.prefetch(ids);
  for (const id of ids.customers) {
    const balance = found.balances.get(id);
    customers.set(id, balance === undefined ? null : { stored: true, balance, upsert: null });
  }
  for (const id of ids.chats) {
    const owner = found.chatOwners.get(id);
    chats.set(id, owner === undefined ? null : { stored: true, customer_id: owner, upsert: null });
  }
  for (const id of ids.runs) {
    const row = found.runs.get(id);
    runs.set(id, row === undefined ? null : { stored: true, ...row, start: null, finish: null });
  }
  const namedCharges = new Set(ids.charges);
  for (const id of ids.transactions) {
    const row = found.transactions.get(id);
    transactions.set(id, row === undefined ? null : { ...row, reversed: namedCharges.has(id) ? found.reversed.has(id) : undefined });
  }
  const eventSeen = (id: string): boolean => found.seenEvents.has(id);

  const customer = (id: string): CustomerState | null => {
    let state = customers.get(id);
    if (state === undefined) {
      const balance = stored.customerBalance(id);
      state = balance === undefined ? null : { stored: true, balance, upsert: null };
      customers.set(id, state);
    }
    return state;
  };
  const chat = (id: string): ChatState | null => {
    let state = chats.get(id);
    if (state === undefined) {
      const owner = stored.chatOwner(id);
      state = owner === undefined ? null : { stored: true, customer_id: owner, upsert: null };
      chats.set(id, state);
    }
    return state;
  };
  const run = (id: string): RunState | null => {
    let state = runs.get(id);
    if (state === undefined) {
      const row = stored.run(id);
      state = row === undefined ? null : { stored: true, ...row, start: null, finish: null };
      runs.set(id, state);
    }
    return state;
  };
  const transaction = (id: string): TransactionState | null => {
    let state = transactions.get(id);
    if (state === undefined) {
      const row = stored.transaction(id);
      state = row === undefined ? null : { ...row, reversed: undefined };
      transactions.set(id, state);
    }
    return state;
  };

  /** Writes a ledger entry with the customer's running balance; `entry` is kept as the transaction's state. */
  function postEntry(entry: TransactionState & { created_at: string; reverses_id: string | null }): void {
    const owner = customer(entry.customer_id);
    // Parents were checked before: a charge's and a refund's customer is their run's, which exists.
    if (!owner) throw new Rejected(`customer ${entry.customer_id} does not exist`);
    owner.balance += entry.amount;
    plan.ledger.push({
      id: entry.id, customer_id: entry.customer_id, kind: entry.kind, amount: entry.amount, balance_after: owner.balance,
      created_at: entry.created_at, recorded_at: recordedAt, generation_id: entry.generation_id, chat_id: entry.chat_id,
      tool: entry.tool, reverses_id: entry.reverses_id, credit_id: null,
    });
    transactions.set(entry.id, entry);
  }

  /** The record an event hangs on, as a `waits_for` key, when it is stored nowhere yet. */
  function missingParent(event: HistoryEvent): string | null {
    const d = event.data;
    switch (event.type) {
      case 'customer.upserted':
      case 'tokens.credit_applied':
      case 'tokens.credit_voided':
        return null;
      case 'chat.created':
      case 'tokens.purchased':
      case 'tokens.plan_granted':
        return customer(String(d.customer_id)) ? null : `customer:${d.customer_id}`;
      case 'generation.started':
        return chat(String(d.chat_id)) ? null : `chat:${d.chat_id}`;
      case 'generation.succeeded':
      case 'generation.failed':
        return run(String(d.id)) ? null : `generation:${d.id}`;
      case 'asset.created':
      case 'tokens.charged':
        return run(String(d.generation_id)) ? null : `generation:${d.generation_id}`;
      case 'tokens.refunded':
        return transaction(String(d.charge_transaction_id)) ? null : `txn:${d.charge_transaction_id}`;
    }
  }

  /** Applies one event whose parent is stored; returns what it did and the record it stored, if any. */
  function apply(event: HistoryEvent): { outcome: Outcome; key: string | null } {
    switch (event.type) {
      case 'customer.upserted': {
        const d = event.data as IngestData<'customer.upserted'>;
        let state = customer(d.id);
        if (!state) {
          state = { stored: false, balance: 0, upsert: null };
          customers.set(d.id, state);
        }
        const at = sourceAt(event);
        const fields = { id: d.id, name: d.name, email: d.email, plan: d.plan, time_zone: d.time_zone ?? null };
        if (!state.upsert) state.upsert = { ...fields, created_at: event.occurredAt, source_at: at };
        else {
          // The latest upsert's fields win; the customer exists from the earliest one.
          if (at > state.upsert.source_at) Object.assign(state.upsert, fields, { source_at: at });
          if (event.occurredAt < state.upsert.created_at) state.upsert.created_at = event.occurredAt;
        }
        return { outcome: 'applied', key: `customer:${d.id}` };
      }
      case 'chat.created': {
        const d = event.data as IngestData<'chat.created'>;
        let state = chat(d.id);
        const problem = chatClaimProblem(d.id, state?.customer_id, d.customer_id);
        if (problem) throw new Rejected(problem);
        if (!state) {
          state = { stored: false, customer_id: d.customer_id, upsert: null };
          chats.set(d.id, state);
        }
        const at = sourceAt(event);
        if (!state.upsert || at > state.upsert.source_at) {
          state.upsert = { id: d.id, customer_id: d.customer_id, title: d.title ?? null, created_at: d.created_at, source_at: at };
        }
        return { outcome: 'applied', key: `chat:${d.id}` };
      }
      case 'generation.started': {
        const d = event.data as IngestData<'generation.started'>;
        let state = run(d.id);
        const problem = runStartProblem(d, chat(d.chat_id)?.customer_id, state ?? undefined);
        if (problem) throw new Rejected(problem);
        if (!state) {
          state = {
            stored: false, customer_id: d.customer_id, chat_id: d.chat_id, tool: d.tool, charge_id: null, source_at: '', status_at: '',
            credit_tokens: 0, start: null, finish: null,
          };
          runs.set(d.id, state);
        }
        const at = sourceAt(event);
        if (at > state.source_at) {
          state.source_at = at;
          state.tool = d.tool;
          state.start = {
            id: d.id, chat_id: d.chat_id, customer_id: d.customer_id, tool: d.tool, model: d.model ?? null, prompt: d.prompt ?? null,
            started_at: d.started_at, source_at: at,
          };
        }
        return { outcome: 'applied', key: `generation:${d.id}` };
      }
      case 'generation.succeeded':
      case 'generation.failed': {
        const d = event.data as IngestData<'generation.failed'> | IngestData<'generation.succeeded'>;
        const state = run(d.id) as RunState;
        const failed = event.type === 'generation.failed' ? (d as IngestData<'generation.failed'>) : null;
        const at = sourceAt(event);
        // The latest outcome wins, whatever the order.
        if (at > state.status_at) {
          state.status_at = at;
          state.finish = {
            id: d.id, status: failed ? 'failed' : 'succeeded', finished_at: d.finished_at,
            error_code: failed?.error_code ?? null, error_message: failed?.error_message ?? null, status_at: at,
          };
        }
        return { outcome: 'applied', key: null };
      }
      case 'asset.created': {
        const d = event.data as IngestData<'asset.created'>;
        const owner = run(d.generation_id) as RunState;
        plan.assets.push({
          id: d.id, generation_id: d.generation_id, customer_id: owner.customer_id, kind: d.kind, mime: d.mime, url: d.url,
          thumbnail_url: d.thumbnail_url ?? null, width: d.width ?? null, height: d.height ?? null, duration_ms: d.duration_ms ?? null,
          bytes: d.bytes ?? null, created_at: d.created_at,
        });
        return { outcome: 'applied', key: null };
      }
      case 'tokens.charged': {
        const d = event.data as IngestData<'tokens.charged'>;
        if (transaction(d.transaction_id)) return { outcome: 'no_effect', key: null };
        const state = run(d.generation_id) as RunState;
        const problem = chargeProblem(d, state, state.charge_id);
        if (problem) throw new Rejected(problem);
        postEntry({
          id: d.transaction_id, customer_id: d.customer_id, kind: 'charge', amount: -d.amount, created_at: d.created_at,
          generation_id: d.generation_id, chat_id: state.chat_id, tool: state.tool, reverses_id: null, reversed: false,
        });
        state.charge_id = d.transaction_id;
        return { outcome: 'applied', key: `txn:${d.transaction_id}` };
      }
      case 'tokens.refunded': {
        const d = event.data as IngestData<'tokens.refunded'>;
        if (transaction(d.transaction_id)) return { outcome: 'no_effect', key: null };
        const charge = transaction(d.charge_transaction_id) as TransactionState;
        const problem = refundProblem(d, charge);
        if (problem) throw new Rejected(problem);
        charge.reversed ??= stored.isReversed(charge.id);
        // A second refund of one charge is a redelivery under another id: no second refund.
        if (charge.reversed) return { outcome: 'no_effect', key: null };
        charge.reversed = true;
        const entry = {
          id: d.transaction_id, customer_id: d.customer_id, kind: 'auto_refund' as const, amount: d.amount, created_at: d.created_at,
          generation_id: charge.generation_id, chat_id: charge.chat_id, tool: charge.tool, reverses_id: charge.id, reversed: undefined,
        };
        if (charge.generation_id && (run(charge.generation_id)?.credit_tokens ?? 0) > 0) {
          // Console credits cover the run: the live path undoes them with the refund (invariant 7).
          transactions.set(entry.id, entry);
          return { outcome: 'live', key: `txn:${d.transaction_id}` };
        }
        postEntry(entry);
        return { outcome: 'applied', key: `txn:${d.transaction_id}` };
      }
      case 'tokens.purchased':
      case 'tokens.plan_granted': {
        const d = event.data as IngestData<'tokens.purchased'>;
        if (transaction(d.transaction_id)) return { outcome: 'no_effect', key: null };
        postEntry({
          id: d.transaction_id, customer_id: d.customer_id, kind: event.type === 'tokens.purchased' ? 'purchase' : 'plan_grant',
          amount: d.amount, created_at: d.created_at, generation_id: null, chat_id: null, tool: null, reverses_id: null, reversed: undefined,
        });
        return { outcome: 'applied', key: `txn:${d.transaction_id}` };
      }
      case 'tokens.credit_applied':
      case 'tokens.credit_voided':
        // An echo confirms a credit event of the console's: the live path checks it against the event.
        return { outcome: 'live', key: null };
    }
  }

  function take(line: number, event: HistoryEvent, released: boolean): void {
    if (!released && (seen.has(event.id) || eventSeen(event.id))) {
      plan.counts.duplicates++;
      return;
    }
    const waitsFor = missingParent(event);
    if (waitsFor) {
      plan.parked++;
      seen.add(event.id);
      const waiting = waitingFor.get(waitsFor);
      if (waiting) waiting.push({ line, event });
      else waitingFor.set(waitsFor, [{ line, event }]);
      return;
    }
    let result: { outcome: Outcome; key: string | null };
    try {
      result = apply(event);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      // A rejected event is not remembered, as in ingestion: a corrected line may come later.
      seen.delete(event.id);
      plan.rejections.push({ line, event_id: event.id, reason: error.message });
      plan.counts.rejected++;
      return;
    }
    seen.add(event.id);
    if (result.outcome === 'live') plan.throughLivePath.push({ line, event });
    else {
      plan.processed.push({ id: event.id, type: event.type, occurred_at: event.occurredAt, received_at: recordedAt, outcome: result.outcome });
      if (result.outcome === 'applied') plan.counts.applied++;
      else plan.counts.duplicates++;
    }
    if (result.key && result.outcome !== 'no_effect') release(result.key);
  }

  /** Applies the events of this window that waited for `key`, now stored. */
  function release(key: string): void {
    storedKeys.add(key);
    const waiting = waitingFor.get(key);
    if (!waiting) return;
    waitingFor.delete(key);
    for (const { line, event } of waiting) take(line, event, true);
  }

  for (const item of items) {
    if ('waited' in item) {
      plan.waitedLines.push(item.line);
      take(item.line, item.event, true);
      continue;
    }
    plan.counts.events++;
    if ('error' in item) {
      plan.rejections.push({ line: item.line, event_id: item.id, reason: item.error });
      plan.counts.rejected++;
      continue;
    }
    take(item.line, item.event, false);
  }

  for (const [waitsFor, waiting] of waitingFor) for (const { line, event } of waiting) plan.waiting.push({ line, waitsFor, event });
  plan.waiting.sort((a, b) => a.line - b.line);
  plan.storedKeys = [...storedKeys];
  for (const [, state] of customers) {
    if (!state?.upsert) continue;
    (state.stored ? plan.storedCustomers : plan.newCustomers).push(state.upsert);
  }
  for (const [, state] of chats) {
    if (!state?.upsert) continue;
    (state.stored ? plan.storedChats : plan.newChats).push(state.upsert);
  }
  for (const [id, state] of runs) {
    if (!state) continue;
    if (state.stored) {
      if (state.start) plan.storedRunStarts.push(state.start);
      if (state.finish) plan.storedRunFinishes.push(state.finish);
      continue;
    }
    const start = state.start as GenerationStart;
    const finish = state.finish;
    plan.newRuns.push({
      id, chat_id: state.chat_id, customer_id: state.customer_id, tool: start.tool, model: start.model, prompt: start.prompt,
      status: finish?.status ?? 'running', error_code: finish?.error_code ?? null, error_message: finish?.error_message ?? null,
      started_at: start.started_at, finished_at: finish?.finished_at ?? null, source_at: start.source_at, status_at: finish?.status_at ?? '',
    });
  }
  return plan;
}
