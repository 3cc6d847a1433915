/**
 * Black-box HTTP to the instances: every call has a time limit, and an answer
 * that never came is an outcome (status 0) the tests can count, not a hang.
 */

export interface Answer<T = unknown> {
  /** The HTTP status; 0 when no answer came (time limit, refused or dropped connection). */
  status: number;
  headers: Headers;
  body: T;
  /** Why no answer came, when status is 0. */
  error?: string;
  /** Milliseconds from sending to the end of the answer. */
  ms: number;
}

/** What an error answer carries (docs/api.md, Conventions). */
export interface ApiErrorBody {
  code: string;
  message: string;
  errors?: Record<string, string>;
  blocked_by?: { generation_id: string; kind: string; id: string; created_at: string }[];
}

export interface Session {
  cookie: string;
  csrf: string;
}

export interface CallOptions {
  method?: string;
  session?: Session;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is (ingestion signs the exact bytes). */
  rawBody?: string;
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export async function call<T = unknown>(baseUrl: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const started = performance.now();
  const headers: Record<string, string> = { ...options.headers };
  if (options.session) {
    headers.Cookie = options.session.cookie;
    headers['X-CSRF-Token'] = options.session.csrf;
  }
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers,
      body: payload,
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: the text itself is the body.
    }
    return { status: res.status, headers: res.headers, body: body as T, ms: performance.now() - started };
  } catch (error) {
    const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timeout' : 'no connection';
    return { status: 0, headers: new Headers(), body: null as T, error: reason, ms: performance.now() - started };
  }
}

/** The error code of a non-2xx answer ('' when it has none). */
export const codeOf = (answer: Answer): string =>
  typeof answer.body === 'object' && answer.body !== null && 'code' in answer.body ? String((answer.body as ApiErrorBody).code) : '';

/** How many answers had each status, e.g. `{201: 1, 409: 49}`: what a failing expectation prints. */
export function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}

/** Signs in over HTTP (docs/api.md, Sessions and CSRF). */
export async function signIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const answer = await call<{ csrf_token: string }>(baseUrl, '/api/auth/login', { body: { email, password } });
  if (answer.status !== 200) throw new Error(`sign-in of ${email} at ${baseUrl} answered ${answer.status}`);
  return { cookie: (answer.headers.get('set-cookie') ?? '').split(';')[0], csrf: answer.body.csrf_token };
}
