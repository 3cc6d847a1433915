import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { ThrottleRepository } from '../../db/repositories/throttleRepository.ts';
import type { Clock } from '../clock.ts';

/**
 * express-rate-limit's counters kept in the database instead of one process's memory: every
 * console instance on the same database counts the same failed sign-ins, and a restart forgets
 * none. Each limiter gets its own prefix, so one key (an address) counts separately per limit.
 */
export class DatabaseThrottleStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweptAt = 0;

  constructor(
    private readonly counters: ThrottleRepository,
    private readonly clock: Clock,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const now = this.clock();
    this.sweepNowAndThen(now);
    const count = this.counters.increment(this.prefix + key, now.toISOString(), new Date(now.getTime() + this.windowMs).toISOString());
    return { totalHits: count.hits, resetTime: new Date(count.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    this.counters.decrement(this.prefix + key, this.clock().toISOString());
  }

  async resetKey(key: string): Promise<void> {
    this.counters.reset(this.prefix + key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = this.counters.current(this.prefix + key, this.clock().toISOString());
    return count ? { totalHits: count.hits, resetTime: new Date(count.reset_at) } : undefined;
  }

  /** Ended windows are deleted at most once a window, by whichever request comes. */
  private sweepNowAndThen(now: Date): void {
    if (now.getTime() - this.sweptAt < this.windowMs) return;
    this.sweptAt = now.getTime();
    this.counters.sweep(now.toISOString());
  }
}
