import { vi } from 'vitest';
import type { SessionInfo } from '../../shared/auth.ts';

/** A signed-in lead, as `POST /api/auth/login` and `GET /api/auth/me` describe one. */
export const leadSession: SessionInfo = {
  user: { id: 'stf_ada', email: 'ada@example.com', name: 'Ada Lovelace', role: 'lead' },
  csrf_token: 'csrf-token-from-server',
  studio_delivery: { push_enabled: true, feed_enabled: false },
  helpdesk_ticket_url: null,
};

export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

export type ApiAnswer = (url: string, init: RequestInit) => Response;

/**
 * Replaces `fetch`, the client's network boundary, with `answer`. The returned mock records
 * every request as `[url, init]`; undo with `vi.unstubAllGlobals()`.
 */
export const stubFetch = (answer: ApiAnswer) => {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => answer(String(input), init));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
};

type FetchMock = ReturnType<typeof stubFetch>;

/** One request the client sent, as the server would see it. */
export const sentRequest = (fetchMock: FetchMock, call = 0) => {
  const [input, init = {}] = fetchMock.mock.calls[call];
  return {
    url: new URL(String(input), 'http://desk.test'),
    method: init.method ?? 'GET',
    credentials: init.credentials,
    headers: new Headers(init.headers),
    json: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
  };
};
