import type { LookupResult } from '../../shared/lookup.ts';

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
