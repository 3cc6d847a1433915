import { hash, randomBytes } from 'node:crypto';
import type { CookieOptions } from 'express';
import { sessionRepository, type SessionWithStaff } from '../../db/repositories/sessionRepository.ts';
import type { Storage, Transaction } from '../../db/storage/types.ts';
import type { Clock } from '../clock.ts';

export const SESSION_COOKIE = 'td_session';

/** The session cookie's options, the same for a password and a single sign-on: script cannot read it, no other site sends it. */
export const sessionCookieOptions = (production: boolean, maxAgeMs?: number): CookieOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  secure: production,
  path: '/',
  ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
});

// One-shot hashing: about half the cost of a createHash object, on every request.
const hashToken = (token: string): string => hash('sha256', token, 'hex');

// last_seen_at is written at most once a minute, so reads stay cheap…
const TOUCH_AT_MOST_EVERY_MS = 60_000;
// …and at least four times per idle window: a session in use is seen alive
// however short SESSION_IDLE_MINUTES is (a write a minute would let a 1-minute
// session used every 20 s die).
const TOUCHES_PER_IDLE_WINDOW = 4;

export interface SessionSettings {
  idleMinutes: number;
  maxHours: number;
}

export interface StartedSession {
  /** The cookie value: 256 random bits, stored only as its SHA-256. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Staff sessions through the storage seam. Writes that belong to a change (a sign-in, a disable)
 * take the caller's transaction; the session check of each request reads once and writes only to
 * end a dead session or to note that a live one was seen.
 */
export function createSessions(storage: Storage, settings: SessionSettings, clock: Clock) {
  const idleMs = settings.idleMinutes * 60_000;
  const touchEveryMs = Math.min(TOUCH_AT_MOST_EVERY_MS, idleMs / TOUCHES_PER_IDLE_WINDOW);

  /** Opens a new session (a fresh id at every sign-in), in the caller's transaction. */
  async function start(tx: Transaction, staffId: string, origin: { clientIp: string | null; userAgent: string | null }): Promise<StartedSession> {
    const now = clock();
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + settings.maxHours * 3_600_000);
    await sessionRepository.insert(tx, {
      id_hash: hashToken(token),
      staff_id: staffId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      client_ip: origin.clientIp,
      user_agent: origin.userAgent?.slice(0, 512) ?? null,
    });
    return { token, csrfToken, expiresAt };
  }

  /**
   * The live session behind a cookie value, or null. A session past its idle
   * or absolute limit, or of a disabled account, is removed and is null.
   */
  async function resolve(token: string | undefined): Promise<SessionWithStaff | null> {
    if (!token || token.length > 128) return null;
    const idHash = hashToken(token);
    const session = await sessionRepository.find(storage, idHash);
    if (!session) return null;
    const now = clock().getTime();
    const lastSeen = Date.parse(session.last_seen_at);
    const dead = session.staff.disabled === 1 || now >= Date.parse(session.expires_at) || now - lastSeen >= idleMs;
    if (dead) {
      await storage.transaction((tx) => sessionRepository.remove(tx, idHash));
      return null;
    }
    if (now - lastSeen >= touchEveryMs) await storage.transaction((tx) => sessionRepository.touch(tx, idHash, new Date(now).toISOString()));
    return session;
  }

  return {
    start,
    resolve,
    end: (tx: Transaction, token: string): Promise<void> => sessionRepository.remove(tx, hashToken(token)),
    endAllFor: (tx: Transaction, staffId: string): Promise<number> => sessionRepository.removeForStaff(tx, staffId),
    /** Ends a person's other sessions, keeping the one behind `token` (after a password change). */
    endOthers: (tx: Transaction, staffId: string, token: string): Promise<number> => sessionRepository.removeOthers(tx, staffId, hashToken(token)),
    purgeExpired: (): Promise<number> => {
      const now = clock().getTime();
      return storage.transaction((tx) => sessionRepository.removeExpired(tx, new Date(now).toISOString(), new Date(now - idleMs).toISOString()));
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
