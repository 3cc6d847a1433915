import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { throttleRepository, type ThrottleCount } from '../../db/repositories/throttleRepository.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { Clock } from '../clock.ts';

const limitInfo = (count: ThrottleCount): ClientRateLimitInfo => ({ totalHits: count.hits, resetTime: new Date(count.reset_at) });

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
    private readonly storage: Storage,
    private readonly clock: Clock,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const now = this.clock();
    const sweep = this.sweepDue(now);
    const count = await this.storage.transaction(async (tx) => {
      if (sweep) await throttleRepository.sweep(tx, now.toISOString());
      return throttleRepository.increment(tx, this.prefix + key, now.toISOString(), new Date(now.getTime() + this.windowMs).toISOString());
    });
    return limitInfo(count);
  }

  async decrement(key: string): Promise<void> {
    const now = this.clock().toISOString();
    await this.storage.transaction((tx) => throttleRepository.decrement(tx, this.prefix + key, now));
  }

  async resetKey(key: string): Promise<void> {
    await this.storage.transaction((tx) => throttleRepository.reset(tx, this.prefix + key));
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await throttleRepository.current(this.storage, this.prefix + key, this.clock().toISOString());
    return count ? limitInfo(count) : undefined;
  }

  /** Ended windows are deleted at most once a window, by whichever request comes. */
  private sweepDue(now: Date): boolean {
    if (now.getTime() - this.sweptAt < this.windowMs) return false;
    this.sweptAt = now.getTime();
    return true;
  }
}
