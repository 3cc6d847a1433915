import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../server/http/jsonBody.ts';
import { postEvents } from './support/ingest.ts';
import { creditOps } from './support/creditOps.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

/**
 * Generated malformed requests against every route: never a 5xx, always the
 * error shape of docs/api.md, and no change to the database for any 4xx.
 * Whatever is accepted, no hidden character reaches a stored text and no
 * stored asset URL leads a browser outside /media/.
 */
const FEED_TOKEN = 'fuzz-feed-token-0123456789-abcdefghij';
let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeAll(async () => {
  t = await createTestApp({ STUDIO_FEED_TOKEN: FEED_TOKEN });
  w = await creditWorld(t.app, t.ctx);
});
afterAll(() => t.cleanup());

/** The tables a request may change, each with its key: rows are read in key order (PostgreSQL keeps no insertion order). */
const tables: Record<string, string> = {
  customers: 'id', chats: 'id', generations: 'id', assets: 'id', ledger_entries: 'seq', credits: 'id', credit_items: 'credit_id, generation_id',
  staff: 'id', audit_events: 'seq', idempotency_keys: 'staff_id, key', ingest_events: 'id', ingest_held: 'event_id', credit_policy: 'id',
  credit_events: 'seq',
};

/** Every row of the tables, in key order. */
const rowsOf = (table: string): Promise<unknown[]> => t.rows(`SELECT * FROM ${table} ORDER BY ${tables[table]}`);

/** Every row of every table but sessions (the test database is small); audit events only up to `auditSeq` when given. */
async function fingerprint(auditSeq?: number): Promise<string> {
  const contents: unknown[][] = [];
  for (const table of Object.keys(tables)) {
    contents.push(table === 'audit_events' && auditSeq !== undefined
      ? await t.rows('SELECT * FROM audit_events WHERE seq <= ? ORDER BY seq', [auditSeq])
      : await rowsOf(table));
  }
  return JSON.stringify(contents);
}

const lastAuditSeq = async (): Promise<number> => (await t.value<number>('SELECT COALESCE(MAX(seq), 0) FROM audit_events')) ?? 0;

/** Lone surrogates cannot travel in a header or URL at all: the client would refuse before sending. */
const wellFormed = (text: string): string => text.replace(/[\uD800-\uDFFF]/g, '?');

async function fingerprintWithoutAudit(): Promise<string> {
  const contents: unknown[][] = [];
  for (const table of Object.keys(tables)) if (table !== 'audit_events') contents.push(await rowsOf(table));
  return JSON.stringify(contents);
}

const routes: { method: 'get' | 'post' | 'put'; path: string }[] = [
  { method: 'get', path: '/api/lookup' },
  ...['customers', 'chats', 'generations', 'transactions', 'assets', 'credits', 'audit', 'staff'].map((r) => ({ method: 'get' as const, path: `/api/${r}` })),
  { method: 'get', path: '/api/customers/{id}' },
  { method: 'get', path: '/api/generations/{id}' },
  { method: 'get', path: '/api/credits/{id}' },
  { method: 'get', path: '/api/audit/{id}' },
  { method: 'get', path: '/api/credits/eligibility' },
  { method: 'post', path: '/api/credits' },
  { method: 'post', path: '/api/credits/{id}/approve' },
  { method: 'post', path: '/api/credits/{id}/reject' },
  { method: 'post', path: '/api/credits/{id}/void' },
  { method: 'post', path: '/api/credits/{id}/delivery/retry' },
  { method: 'post', path: '/api/studio/delivery/retry-given-up' },
  { method: 'get', path: '/api/reports/studio-delivery' },
  { method: 'get', path: '/api/credits/export.csv' },
  { method: 'get', path: '/api/audit/export.csv' },
  { method: 'get', path: '/api/reports/credits' },
  { method: 'get', path: '/api/reports/refunds' },
  { method: 'get', path: '/api/reports/anomalies' },
  { method: 'post', path: '/api/staff' },
  { method: 'put', path: '/api/staff/{id}' },
  { method: 'post', path: '/api/staff/{id}/end-sessions' },
  { method: 'put', path: '/api/policy' },
  { method: 'post', path: '/api/auth/password' },
];

/**
 * The characters free text may not hold, written out here rather than taken
 * from shared/text.ts, so that a loosened rule fails this test: controls but
 * tab and line breaks, halves of surrogate pairs, bidirectional controls.
 */
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;
const hiddenCharacter = fc.constantFrom('\u0000', '\u0008', '\u001B', '\u007F', '\u0085', '\uD800', '\uDBFF', '\uDC00', '\uDFFF',
  '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069');
/** Ordinary text with one hidden character somewhere in it. */
const hiddenText = fc.tuple(fc.string({ maxLength: 12 }), hiddenCharacter, fc.string({ maxLength: 12 })).map(([before, hidden, after]) => `${before}${hidden}${after}`);

const nasty = fc.oneof(
  fc.string(),
  hiddenText,
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'null', '[]', '{}', '{"a":', "' OR 1=1 --", '"; DROP TABLE credits; --', '../../etc/passwd',
    '<script>alert(1)</script>', 'javascript:alert(1)', '\u0000', '\uD800', 'é'.repeat(300), 'x'.repeat(5000), '[0,99999999999]', '["id","SIDEWAYS"]'),
  fc.json(),
);
/** A field's words: mostly plain, sometimes with a hidden character. */
const words = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), hiddenText);
const idArb = fc.oneof(nasty, fc.constantFrom('crd_x', '1', '999999999999999999999'));
const queryArb = fc.dictionary(fc.constantFrom('filter', 'range', 'sort', 'q', 'generation_ids', 'from', 'to', 'group_by', 'x', 'filter[0]', 'after', 'limit'), nasty, { maxKeys: 4 });
const bodyArb = fc.oneof(
  fc.jsonValue(),
  fc.record({
    customer_id: nasty, items: fc.oneof(fc.jsonValue(), fc.array(fc.record({ generation_id: nasty, tokens: fc.oneof(fc.integer(), fc.double(), nasty) }))),
    amount: fc.oneof(fc.integer(), fc.double(), nasty), reason: nasty, ticket_ref: nasty, expected: nasty, received: nasty, note: nasty,
    email: nasty, name: nasty, role: nasty, disabled: fc.jsonValue(), approval_threshold: fc.jsonValue(), current_password: nasty, new_password: nasty,
  }, { requiredKeys: [] }),
);

interface Nesting {
  levels: number;
  brackets: 'array' | 'object';
}
/** How deep to nest one more field of a body: around the limit, or far past it (JSON.stringify itself overflows at 10,000). */
const nestingArb = fc.option(
  fc.record({
    levels: fc.oneof(fc.integer({ min: 1, max: MAX_JSON_DEPTH + 2 }), fc.integer({ min: 1_000, max: 12_000 })),
    brackets: fc.constantFrom<Nesting['brackets']>('array', 'object'),
  }),
  { nil: undefined },
);
/** `json` with a field nested `levels` deep, written as text; the result nests at least `levels + 1` deep. */
function withNesting(json: string, nesting: Nesting | undefined): string {
  if (nesting === undefined) return json;
  const { levels, brackets } = nesting;
  const nested = brackets === 'array' ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
  if (json.startsWith('{')) return `{"nested":${nested}${json === '{}' ? '' : `,${json.slice(1)}`}`;
  return `[${nested},${json}]`;
}
const tooDeep = (nesting: Nesting | undefined): boolean => nesting !== undefined && nesting.levels + 1 > MAX_JSON_DEPTH;

/** Every free-text column a request or an event writes, and the stored text in it that holds a hidden character. */
const textColumns: Record<string, string[]> = {
  customers: ['name', 'email', 'plan'],
  chats: ['title'],
  generations: ['model', 'prompt', 'error_code', 'error_message'],
  credits: ['ticket_ref', 'expected', 'received', 'note', 'decision_reason', 'void_reason'],
  staff: ['name'],
};
async function storedHiddenText(): Promise<string[]> {
  const found: string[] = [];
  for (const [table, columns] of Object.entries(textColumns)) {
    for (const row of await t.rows<Record<string, string | null>>(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${tables[table]}`)) {
      for (const column of columns) {
        const text = row[column];
        if (text !== null && HIDDEN.test(text)) found.push(`${table}.${column}: ${JSON.stringify(text)}`);
      }
    }
  }
  for (const { payload } of await t.rows<{ payload: string }>('SELECT payload FROM ingest_held ORDER BY event_id')) {
    for (const value of Object.values(JSON.parse(payload) as Record<string, unknown>)) {
      if (typeof value === 'string' && HIDDEN.test(value)) found.push(`ingest_held.payload: ${JSON.stringify(value)}`);
    }
  }
  return found;
}

/**
 * Stored asset URLs that a browser showing the console would fetch from
 * outside /media/: it resolves them as the URL parser here does (dot
 * segments, `%2e`, tabs, backslashes); an https: link elsewhere is fine.
 */
const CONSOLE = 'https://console.test';
async function escapingAssetUrls(): Promise<string[]> {
  const assets = await t.rows<{ url: string; thumbnail_url: string | null }>('SELECT url, thumbnail_url FROM assets ORDER BY id');
  const urls = [...assets.map((asset) => asset.url), ...assets.flatMap((asset) => (asset.thumbnail_url === null ? [] : [asset.thumbnail_url]))];
  return urls.filter((url) => {
    let resolved: URL;
    try {
      resolved = new URL(url, CONSOLE);
    } catch {
      return true;
    }
    if (resolved.origin !== CONSOLE) return resolved.protocol !== 'https:';
    return !/^\/media\/[^/%\\]+$/.test(resolved.pathname);
  });
}

const at = '2026-11-20T10:00:00.000Z';
/** /media/ paths built from the pieces that climb out of it once a browser has decoded and normalised them. */
const assetUrlArb = fc.oneof(
  fc.constantFrom('/media/image-01.png', 'https://cdn.example.com/x.png'),
  fc.array(fc.constantFrom('.', '..', '%2e', '%2E', '%252e', '/', '%2f', '%2F', '\\', '%5c', '\t', '\n', '\r', ' ', '%00', '%', '?', '#', 'api', 'export.csv', 'image-01.png'),
    { minLength: 1, maxLength: 8 }).map((parts) => `/media/${parts.join('')}`),
);
/** The words and asset URLs of a customer's first run as the studio reports it (storyEvents). */
const storyArb = fc.record({
  name: words, email: fc.oneof(fc.constant('maya@example.com'), hiddenText.map((hidden) => `maya${hidden}@example.com`)), plan: words,
  title: words, model: words, prompt: words, error_code: words, error_message: words, url: assetUrlArb, thumbnail_url: fc.option(assetUrlArb, { nil: undefined }),
});
type Story = typeof storyArb extends fc.Arbitrary<infer T> ? T : never;
let stories = 0;
/** The events of a story, under ids new to the database: generated ids would shrink to ones already stored, and be duplicates. */
function storyEvents({ name, email, plan, title, model, prompt, error_code, error_message, url, thumbnail_url }: Story) {
  const key = `${++stories}`;
  const customer = `fz-cus-${key}`;
  const chat = `fz-chat-${key}`;
  const run = `fz-gen-${key}`;
  return [
    { id: `fz-e1-${key}`, type: 'customer.upserted', occurred_at: at, data: { id: customer, name, email, plan } },
    { id: `fz-e2-${key}`, type: 'chat.created', occurred_at: at, data: { id: chat, customer_id: customer, title, created_at: at } },
    { id: `fz-e3-${key}`, type: 'generation.started', occurred_at: at, data: { id: run, chat_id: chat, customer_id: customer, tool: 'image', model, prompt, started_at: at } },
    { id: `fz-e4-${key}`, type: 'generation.failed', occurred_at: at, data: { id: run, finished_at: at, error_code, error_message } },
    // On a run already stored, so that it is applied whether or not the story's own run was refused.
    { id: `fz-e5-${key}`, type: 'asset.created', occurred_at: at, data: { id: `fz-ast-${key}`, generation_id: w.runs.succeeded.id, kind: 'image', mime: 'image/png', url, thumbnail_url, created_at: at } },
  ];
}
/** The fields of an event's data holding a hidden character. */
const hiddenFields = (data: Record<string, unknown>): string[] =>
  Object.entries(data).filter(([, value]) => typeof value === 'string' && HIDDEN.test(value)).map(([field]) => field);

describe('fuzzing every route', () => {
  it('never answers 5xx, always uses the error shape, and changes nothing on a 4xx', async () => {
    const who = [w.as.agent, w.as.lead, w.as.admin];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes), fc.nat(2), idArb, queryArb, bodyArb, nestingArb, fc.boolean(), fc.option(nasty, { nil: undefined }),
        async (route, person, id, query, body, nesting, rawBody, idempotencyKey) => {
          const session = who[person];
          const path = route.path.replace('{id}', encodeURIComponent(wellFormed(String(id))));
          const before = await fingerprint();
          const hiddenBefore = await storedHiddenText();
          const lastAudit = await lastAuditSeq();
          let req = session.agent[route.method](path).query(query).set('X-CSRF-Token', session.csrf);
          if (idempotencyKey !== undefined) req = req.set('Idempotency-Key', encodeURIComponent(wellFormed(idempotencyKey)).slice(0, 300));
          const json = withNesting(JSON.stringify(body) ?? 'null', nesting);
          const res = route.method === 'get' ? await req : await req.set('Content-Type', 'application/json').send(rawBody ? json.slice(0, -1) : json);
          const label = `${route.method} ${path} ${JSON.stringify(query)} → ${res.status} ${res.text.slice(0, 200)}`;
          expect(res.status, label).toBeLessThan(500);
          // Read before anything else, a body nested too deep is refused whoever sends it.
          if (route.method !== 'get' && tooDeep(nesting)) {
            expect(res.status, label).toBe(400);
            expect(res.body.errors, label).toHaveProperty('body');
          }
          expect(await storedHiddenText(), label).toEqual(hiddenBefore);
          if (res.status >= 400) {
            expect(res.body, label).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            if (res.body.errors !== undefined) expect(typeof res.body.errors, label).toBe('object');
            // A wrong current password is audited, as a failed sign-in is: that event is the one change it may make.
            const added = (await t.rows<{ action: string }>('SELECT action FROM audit_events WHERE seq > ? ORDER BY seq', [lastAudit])).map((event) => event.action);
            if (route.path === '/api/auth/password' && added.length > 0) {
              expect(added, label).toEqual(['auth.password_change_failed']);
              expect(await fingerprint(lastAudit), label).toBe(before);
            } else {
              expect(await fingerprint(), label).toBe(before);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  it('takes staff-written text without hidden characters and refuses the rest, naming the field and storing nothing', async () => {
    const ops = creditOps(t.ctx, w.people.agent.id);
    const admin = w.as.admin;
    let invited = 0;
    const writeArb = fc.oneof(
      fc.record({ kind: fc.constant('credit' as const), field: fc.constantFrom('ticket_ref', 'expected', 'received', 'note'), text: words }),
      fc.record({ kind: fc.constantFrom('invite' as const, 'rename' as const), field: fc.constant('name'), text: words }),
      fc.record({ kind: fc.constantFrom('reject' as const, 'void' as const), field: fc.constant('reason'), text: words }),
    );
    await fc.assert(
      fc.asyncProperty(writeArb, async ({ kind, field, text }) => {
        const run = [{ generation_id: w.runs.second.id, tokens: 1 }];
        // The credit a decision acts on is made first, so that the fingerprint shows only what the request changed.
        const decided = kind === 'reject' ? await ops.create(w.customer.id, run, 'pending_approval') : kind === 'void' ? await ops.create(w.customer.id, run, 'applied') : '';
        const before = await fingerprint();
        const hiddenBefore = await storedHiddenText();
        const res = await (kind === 'credit'
          ? postCredit(w.as.agent, creditBody(w.customer.id, [], { amount: 1, reason: 'goodwill', [field]: text }))
          : kind === 'invite'
            ? admin.agent.post('/api/staff').set('X-CSRF-Token', admin.csrf).send({ email: `fuzz-${++invited}@example.test`, name: text, role: 'agent' })
            : kind === 'rename'
              ? admin.agent.put(`/api/staff/${w.people.lead2.id}`).set('X-CSRF-Token', admin.csrf).send({ name: text })
              : act(w.as.lead, `/api/credits/${decided}/${kind}`, { reason: text }));
        const label = `${kind} ${JSON.stringify(text)} → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).toBeLessThan(500);
        if (HIDDEN.test(text)) {
          expect(res.status, label).toBe(400);
          expect(res.body.errors, label).toHaveProperty([field]);
          expect(await fingerprint(), label).toBe(before);
        } else if (text.trim() !== '') {
          // Plain text is never what a refusal blames.
          expect(res.body.errors?.[field], label).toBeUndefined();
        }
        expect(await storedHiddenText(), label).toEqual(hiddenBefore);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('never answers 5xx to malformed sign-ins or ingestion, and changes nothing but the audit of failed sign-ins', async () => {
    const malformedEvent = fc.record({ id: nasty, type: fc.oneof(nasty, fc.constantFrom('tokens.credit_applied', 'tokens.credit_voided')), occurred_at: nasty, data: fc.jsonValue() });
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.array(fc.oneof(fc.jsonValue(), malformedEvent), { maxLength: 5 }), fc.option(storyArb, { nil: undefined }), nestingArb, async (body, malformed, story, nesting) => {
        const login = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send(withNesting(JSON.stringify(body) ?? 'null', nesting));
        expect(login.status).toBeLessThan(500);
        expect([400, 401, 429]).toContain(login.status);
        if (tooDeep(nesting)) expect(login.body.errors).toHaveProperty('body');
        const storyBatch = story === undefined ? [] : storyEvents(story);
        const events = [...malformed, ...storyBatch];
        const before = await fingerprintWithoutAudit();
        const [hiddenBefore, escapesBefore] = [await storedHiddenText(), await escapingAssetUrls()];
        const ingest = await postEvents(t.app, [], { rawBody: withNesting(JSON.stringify({ events }), nesting) });
        const label = `${ingest.status} ${ingest.text.slice(0, 300)}`;
        expect(ingest.status, label).toBeLessThan(500);
        if (tooDeep(nesting)) {
          expect(ingest.status, label).toBe(400);
          expect(ingest.body.errors, label).toHaveProperty('body');
        }
        if (ingest.status === 200) {
          // Every story event with a hidden character is rejected, naming its field.
          for (const event of storyBatch) {
            const fields = hiddenFields(event.data);
            if (fields.length === 0) continue;
            const rejection = (ingest.body.rejected as { id: string; error: string }[]).find((rejected) => rejected.id === event.id);
            expect(rejection, `${event.id} ${label}`).toMatchObject({ error: expect.stringContaining(`data.${fields[0]}: `) });
          }
        } else {
          expect(await fingerprintWithoutAudit(), label).toBe(before);
        }
        // Compared with before rather than with none, so that a counterexample shrinks to the batch that stored it.
        expect(await storedHiddenText(), label).toEqual(hiddenBefore);
        expect(await escapingAssetUrls(), label).toEqual(escapesBefore);
      }),
      { numRuns: 150 },
    );
  }, 180_000);

  it('never answers 5xx to malformed feed requests, with or without the token, and changes nothing on a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, fc.option(nasty, { nil: undefined }), async (query, token) => {
        const before = await fingerprint();
        const auth = token === undefined ? `Bearer ${FEED_TOKEN}` : `Bearer ${encodeURIComponent(wellFormed(token))}`;
        const res = await request(t.app).get('/api/studio/credit-events').query(query).set('Authorization', auth);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          expect(await fingerprint()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
