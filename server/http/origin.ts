import { isIP } from 'node:net';
import type { Request } from 'express';
import type { Actor, RequestOrigin } from '../audit/auditLog.ts';
import { NotAuthenticated } from '../errors.ts';

/**
 * Which proxies' `X-Forwarded-For` Express believes (its `trust proxy`
 * setting): none, the nearest so many hops, or the listed addresses, ranges
 * and range names. Decides `req.ip`, and with it the client address that
 * sign-in throttling counts and audit events record.
 */
export type TrustProxy = false | number | string[];

// proxy-addr's names for ranges, as Express accepts them.
const rangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrRange = (entry: string): boolean => {
  if (rangeNames.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
};

/**
 * Reads TRUST_PROXY: a hop count (1 and up), or comma-separated addresses,
 * CIDR ranges and `loopback`, `linklocal`, `uniquelocal`. Trusting every hop
 * (`true`) is refused: any client could then choose its own address.
 */
export function parseTrustProxy(text: string): { ok: true; value: TrustProxy } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === 'true') return { ok: false, message: 'trusting every proxy lets any client choose its address: give a hop count or the proxies\' addresses' };
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return hops >= 1 ? { ok: true, value: hops } : { ok: false, message: 'a hop count is 1 or more (leave TRUST_PROXY unset to trust no proxy)' };
  }
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrRange(entry));
  if (bad.length > 0) {
    return {
      ok: false,
      message: `${bad.map((entry) => JSON.stringify(entry)).join(', ')} is not a hop count, an address, a CIDR range or loopback, linklocal, uniquelocal`,
    };
  }
  return { ok: true, value: entries };
}

export const requestOrigin = (req: Request): RequestOrigin => ({
  requestId: req.id,
  clientIp: req.ip ?? null,
});

/** The signed-in staff member as an audit actor; routes behind requireSession only. */
export function staffActor(req: Request): Actor & { type: 'staff' } {
  if (!req.session) throw new NotAuthenticated();
  return { type: 'staff', id: req.session.staff.id, name: req.session.staff.name };
}
