import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { creditEventRepository, type ClaimedEvent } from '../../db/repositories/creditEventRepository.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import type { Clock } from '../clock.ts';
import type { WebhookConfig } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import { jittered } from './retryTiming.ts';
import { sendWebhook, type AttemptResult, type OutgoingEvent } from './webhookSender.ts';

/** An attempt in flight holds its event this much longer than the timeout; after a crash it is claimed again. */
export const LEASE_MARGIN_MS = 5_000;
/** How often the dispatcher looks for due events when nothing wakes it (events written by another process, retries coming due). */
export const POLL_MS = 1_000;

export interface DispatcherDeps {
  storage: Storage;
  config: WebhookConfig;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The attempt itself; tests keep the real one and point it at a real receiver. */
  send?: (config: WebhookConfig, event: OutgoingEvent) => Promise<AttemptResult>;
  /** [0, 1) for the retry jitter. */
  random?: () => number;
}

/**
 * Pushes credit events to the studio (docs/integration.md). Each pass leases
 * the due events in one transaction, sends them (at most `concurrency` in
 * flight), and records each outcome under its lease in a short transaction of
 * its own: delivered, failing with the next attempt on the schedule
 * (Retry-After as the least wait), or given up after the schedule's last wait,
 * audited. The request to the studio is made between those transactions,
 * never inside one. All state is in the database, so a restart, a crash
 * mid-attempt or a second instance loses nothing: an attempt whose lease ran
 * out is sent again, same id, same bytes.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { storage, config, audit, clock, logger, metrics } = deps;
  const send = deps.send ?? sendWebhook;
  const random = deps.random ?? Math.random;
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  // One claim at a time: the free slots are counted only once the last claim's attempts are in flight.
  let claiming: Promise<unknown> = Promise.resolve();

  /** Leases what is due, up to the free slots. */
  async function lease(): Promise<ClaimedEvent[]> {
    const slots = config.concurrency - inFlight.size;
    if (slots <= 0) return [];
    const now = clock();
    const claim = {
      now: now.toISOString(),
      lease_until: new Date(now.getTime() + config.timeoutMs + LEASE_MARGIN_MS).toISOString(),
      limit: slots,
      lease_token: randomUUID(),
    };
    return storage.transaction((tx) => creditEventRepository.claimDue(tx, claim));
  }

  /** Leases what is due and starts its attempts; the attempts started. */
  function leaseAndStart(): Promise<Promise<void>[]> {
    const started = claiming.then(async () => (await lease()).map(start));
    claiming = started.catch(() => undefined);
    return started;
  }

  /** The outcome of one attempt, under its lease; a lost lease changes nothing. */
  async function record(event: ClaimedEvent, result: AttemptResult): Promise<void> {
    const now = clock();
    const nowIso = now.toISOString();
    const lease = { seq: event.seq, lease_token: event.lease_token, now: nowIso };
    if (result.delivered) {
      await storage.transaction((tx) => creditEventRepository.markDelivered(tx, { ...lease, last_status: result.status, studio_ref: result.studioRef }));
      return;
    }
    const failure = { ...lease, last_status: result.status, last_error: result.error };
    const schedule = config.retryScheduleMs;
    if (event.failures < schedule.length) {
      // Drawn once, outside the transaction: a transaction run again keeps the same wait.
      const waitMs = Math.max(jittered(schedule[event.failures], random), result.retryAfterMs ?? 0);
      await storage.transaction((tx) => creditEventRepository.markFailing(tx, { ...failure, due_at: new Date(now.getTime() + waitMs).toISOString() }));
      return;
    }
    await storage.transaction(async (tx) => {
      if (!(await creditEventRepository.markGivenUp(tx, failure))) return;
      await audit.append(tx, {
        actor: { type: 'system' }, action: 'credit.delivery_given_up', entityType: 'credit', entityId: event.credit_id,
        customerId: event.customer_id,
        after: { event_id: event.id, type: event.type, attempts: event.attempts + 1, last_status: result.status, last_error: result.error },
      });
    });
  }

  async function attempt(event: ClaimedEvent): Promise<void> {
    const started = performance.now();
    const result = await send(config, { id: event.id, body: event.body });
    metrics.recordAttempt(result.delivered ? 'delivered' : result.outcome, (performance.now() - started) / 1000);
    logger.debug({ event_id: event.id, type: event.type, delivered: result.delivered, status: result.status }, 'credit event attempt');
    try {
      await record(event, result);
    } catch (error) {
      // The lease runs out and the attempt is made again: the studio books each id once.
      logger.error({ err: error, event_id: event.id }, 'could not record a delivery attempt');
    }
  }

  function start(event: ClaimedEvent): Promise<void> {
    const done = attempt(event).finally(() => {
      inFlight.delete(done);
      wake();
    });
    inFlight.add(done);
    return done;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    const at = Date.now() + delayMs;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => void pass(), delayMs);
    timer.unref();
  }

  async function pass(): Promise<void> {
    timer = null;
    timerAt = Infinity;
    try {
      await leaseAndStart();
    } catch (error) {
      // A busy database or a full disk: the next pass tries again.
      logger.warn({ err: error }, 'credit delivery pass failed');
    }
    schedule(POLL_MS);
  }

  /** Looks for due events soon (a credit was just written, an attempt just ended). */
  function wake(): void {
    schedule(0);
  }

  return {
    start(): void {
      running = true;
      wake();
    },
    /** Stops leasing and waits for the attempts in flight to be recorded. */
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      await claiming;
      await Promise.allSettled([...inFlight]);
    },
    wake,
    /**
     * One pass, awaited: leases what is due now and records every attempt.
     * Returns how many attempts were made. For tests and tools that drive the
     * clock themselves; the running dispatcher does the same on its own.
     */
    async runOnce(): Promise<number> {
      const started = await leaseAndStart();
      await Promise.all(started);
      return started.length;
    },
    inFlight: (): number => inFlight.size,
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
