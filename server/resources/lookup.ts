import { z } from 'zod';
import { lookupQueries, type LookupHit, type LookupKind } from '../../db/repositories/lookupQueries.ts';
import type { Queryable } from '../../db/storage/types.ts';
import type { LookupResult } from '../../shared/lookup.ts';
import { DomainError } from '../errors.ts';

export const MAX_LOOKUP_LENGTH = 2048;
const PASTE_SOMETHING = 'Paste a chat ID, a chat URL, a customer e-mail or an id';

export const lookupQuerySchema = z
  .object({
    q: z
      .string({ error: (issue) => (issue.input === undefined ? PASTE_SOMETHING : 'must be given once') })
      .max(MAX_LOOKUP_LENGTH, `must be at most ${MAX_LOOKUP_LENGTH} characters`)
      .trim()
      .min(1, PASTE_SOMETHING),
  })
  .strict();

/** 404 `not_found`, saying what the pasted text was tried as. */
export class NothingMatches extends DomainError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** What a pasted text can name: the ids to try, and whether it was a URL (then chats come first). */
export interface LookupCandidates {
  url: boolean;
  ids: string[];
}

/** Enough for any URL a person pastes; each candidate costs one indexed query per kind. */
const MAX_CANDIDATES = 16;
const MAX_ID_LENGTH = 255;
const BASE = 'https://lookup.invalid';

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const hasScheme = (text: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(text);

/** The text as a URL when it looks like one: with a scheme, `//host/...`, or a host or path with a slash. */
function asUrl(text: string): URL | undefined {
  if (/\s/.test(text)) return undefined;
  let candidate: string | undefined;
  if (hasScheme(text)) candidate = text;
  else if (text.startsWith('//')) candidate = `https:${text}`;
  else if (text.includes('/') || text.startsWith('?')) candidate = text.startsWith('/') || text.startsWith('?') ? text : `/${text}`;
  if (candidate === undefined) return undefined;
  try {
    return new URL(candidate, BASE);
  } catch {
    return undefined;
  }
}

/** Path segments (deepest first: that is where an id usually sits), then query values, then the same of a `#/...` route. */
function urlParts(url: URL): string[] {
  const parts = url.pathname.split('/').filter(Boolean).map(decode).reverse();
  parts.push(...url.searchParams.values());
  if (url.hash.length > 1) {
    const route = asUrl(url.hash.slice(1).replace(/^!/, ''));
    if (route) parts.push(...urlParts(route));
  }
  return parts;
}

/**
 * The ids a pasted text may name. A chat URL of any shape holds the chat ID as
 * a path segment or a query value; a URL pasted URL-encoded (from a link's
 * parameter) is decoded first.
 */
export function lookupCandidates(input: string): LookupCandidates {
  const text = input.trim();
  const decoded = /%[0-9a-f]{2}/i.test(text) ? decode(text) : text;
  const url = asUrl(text) ?? (decoded !== text ? asUrl(decoded) : undefined);
  if (!url) return { url: false, ids: [...new Set([text, decoded])] };
  const ids = [...new Set(urlParts(url).map((part) => part.trim()))].filter((part) => part !== '' && part.length <= MAX_ID_LENGTH);
  return { url: true, ids: ids.slice(0, MAX_CANDIDATES) };
}

const looksLikeEmail = (text: string): boolean => /^[^\s@]+@[^\s@]+$/.test(text);

const quote = (text: string): string => `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;

function toResult(kind: LookupKind, hit: LookupHit): LookupResult {
  const type = kind === 'email' ? 'customer' : kind;
  const result: LookupResult = { type, id: hit.id, customer_id: hit.customer_id };
  if (hit.chat_id !== null) result.chat_id = hit.chat_id;
  return result;
}

const CHAT: readonly LookupKind[] = ['chat'];
const OTHER_IDS: readonly LookupKind[] = ['customer', 'generation', 'transaction'];
const EMAIL: readonly LookupKind[] = ['email'];

/** Kinds of id, each with the ids to try as that kind. */
type Attempts = readonly (readonly [readonly LookupKind[], readonly string[]])[];

/**
 * The first hit on `q` trying, attempt by attempt, each id as each kind in turn: one point query
 * at a time, each only when the ones before it found nothing. One async function awaiting the
 * storage directly: this is the hottest read (BENCHMARKS.md), and every layer of promises costs.
 */
async function firstHit(q: Queryable, attempts: Attempts): Promise<LookupResult | undefined> {
  for (const [kinds, ids] of attempts) {
    for (const id of ids) {
      for (const kind of kinds) {
        const hit = await lookupQueries.find(q, kind, id);
        if (hit) return toResult(kind, hit);
      }
    }
  }
  return undefined;
}

/**
 * Resolves what a support agent pastes into the lookup box (docs/domain.md, flow
 * 1): a chat ID or chat URL, a customer e-mail (any case) or id, a generation
 * id or a transaction id, as stored or lower-cased. Every attempt is one
 * indexed point query, read on `q` (the storage, outside any transaction).
 */
export async function lookup(q: Queryable, input: string): Promise<LookupResult> {
  const { url, ids } = lookupCandidates(input);
  const emails = ids.filter(looksLikeEmail);
  // Ids are stored as the studio sent them; chat IDs are lower-case UUIDs, but a ticket may
  // carry one in capitals. So each id is tried as a chat as pasted, then lower-cased: a chat ID
  // in any case costs one or two point queries on the primary key (no NOCASE index to keep on
  // the big tables). Other ids are tried lower-cased last, once every exact form has missed.
  const chatFirst = [...new Set(ids.flatMap((id) => [id, id.toLowerCase()]))];
  const lowered = chatFirst.filter((id) => !ids.includes(id));
  const found = await firstHit(
    q,
    url
      ? [[CHAT, chatFirst], [OTHER_IDS, ids], [EMAIL, emails], [OTHER_IDS, lowered]]
      : [[EMAIL, emails], [CHAT, chatFirst], [OTHER_IDS, ids], [OTHER_IDS, lowered]],
  );
  if (found) return found;

  const text = input.trim();
  if (url) {
    const tried = ids.length > 0 ? `tried its parts ${ids.slice(0, 6).map(quote).join(', ')}${ids.length > 6 ? ', …' : ''}` : 'it holds no id';
    throw new NothingMatches(`Nothing matches that URL: ${tried} as a chat ID, then as a customer, generation or transaction id.`);
  }
  if (emails.length > 0) {
    throw new NothingMatches(`No customer has the e-mail ${quote(text)}, and no chat, customer, generation or transaction has it as id.`);
  }
  throw new NothingMatches(
    `No chat, customer, generation or transaction has the id ${quote(text)}. Paste a chat ID, a chat URL, a customer e-mail or an id.`,
  );
}
