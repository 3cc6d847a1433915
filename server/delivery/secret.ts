import { timingSafeEqual, createHash } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value from the configuration (a webhook key, a bearer token). It
 * prints, serialises and inspects as `[redacted]`, so a logged config object,
 * an error or an answer can never carry it; code that needs it calls reveal().
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Compares a presented token in constant time (a hash first, so lengths leak nothing either). */
  matches(candidate: string): boolean {
    const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(candidate), digest(this.#value));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
