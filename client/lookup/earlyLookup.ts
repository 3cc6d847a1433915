import type { LookupResult } from '../../shared/lookup.ts';
import { lookupDestination, withTicketContext } from './lookupModel.ts';
import { readTicketContext } from './ticketContext.ts';

/**
 * A helpdesk link (`#/lookup?q=…`, docs/api.md) opens a new tab, where the app would ask what `q`
 * names only after loading, confirming the session and rendering the lookup page. The question is
 * asked while the app loads instead, and its answer kept for the lookup page to take once. A failed
 * early answer (no session yet, a network error) is forgotten: the page then asks again itself, so
 * its errors reach the agent and the sign-in flow as any lookup's would.
 */
let early: { q: string; answer: Promise<LookupResult | null> } | undefined;

/** The trimmed `q` of a helpdesk link's hash, or null when the hash is not one. */
export const helpdeskLinkQuery = (hash: string): string | null => {
  const match = /^#\/lookup\?(.*)$/.exec(hash);
  if (!match) return null;
  return new URLSearchParams(match[1]).get('q')?.trim() || null;
};

export const startEarlyLookup = (q: string, ask: (q: string) => Promise<LookupResult>): Promise<LookupResult | null> => {
  const answer = ask(q).catch(() => null);
  early = { q, answer };
  return answer;
};

/** The early answer for `q`, once; null when there was none or it failed. */
export const takeEarlyLookup = async (q: string): Promise<LookupResult | null> => {
  if (early?.q !== q) return null;
  const { answer } = early;
  early = undefined;
  return answer;
};

/** How long the first render waits for a helpdesk link's early answer and the chat review's code. */
export const EARLY_ANSWER_WAIT_MS = 250;

/**
 * Where a helpdesk link's hash can go without its lookup page: the page its early answer names,
 * with the ticket's context, as the lookup page would open it. Null when the page is still needed:
 * no answer yet, nothing matched (the page says so), or a ledger entry (whose page depends on the
 * entry, which the page fetches).
 */
export const earlyDestination = (hash: string, answer: LookupResult | null): string | null => {
  if (!answer || answer.type === 'transaction') return null;
  const search = hash.slice(hash.indexOf('?'));
  return `#${withTicketContext(lookupDestination(answer), readTicketContext(search))}`;
};

/**
 * Before the first render of a page opened by a helpdesk link: asks the lookup, and waits at most
 * `waitMs` for its answer and, for a chat, for `onChat` (which loads the chat review's code). When
 * the answer names a page, that page replaces the link in the address (so Back returns to the
 * ticket, as the lookup page does). The router reads the address only after this settles.
 */
export const openHelpdeskLink = async (
  hash: string,
  ask: (q: string) => Promise<LookupResult>,
  { waitMs = EARLY_ANSWER_WAIT_MS, onChat }: { waitMs?: number; onChat?: () => Promise<unknown> } = {},
): Promise<void> => {
  const q = helpdeskLinkQuery(hash);
  if (!q) return;
  const answer = startEarlyLookup(q, ask);
  const ready = answer.then(async found => {
    if (found?.type === 'chat') await onChat?.().catch(() => undefined);
    return found;
  });
  const early = await Promise.race([ready, new Promise<null>(resolve => setTimeout(() => resolve(null), waitMs))]);
  const destination = earlyDestination(hash, early);
  if (destination) {
    // Answered here: the lookup page will not ask for it.
    await takeEarlyLookup(q);
    window.history.replaceState(window.history.state, '', destination);
  }
};
