import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditOps } from './support/creditOps.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { postEvents, scenario, type StudioEvent } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

/** Each hidden character inside ordinary words, and what the field's error says of it. */
const hidden: [string, string, string][] = [
  ['NUL', 'ZD-1\u00002', 'must not contain a control character (U+0000)'],
  ['ESC', 'ZD-1\u001B[2J', 'must not contain a control character (U+001B)'],
  ['a lone high surrogate', 'ZD-1\uD800', 'must not contain a lone surrogate (half of a character)'],
  ['a lone low surrogate', '\uDC00ZD-1', 'must not contain a lone surrogate (half of a character)'],
  ['RIGHT-TO-LEFT OVERRIDE', 'ZD-\u202E2401', 'must not contain a bidirectional control character (U+202E)'],
  ['LEFT-TO-RIGHT EMBEDDING', 'ZD-\u202A2401', 'must not contain a bidirectional control character (U+202A)'],
  ['FIRST STRONG ISOLATE', 'ZD-\u20682401', 'must not contain a bidirectional control character (U+2068)'],
  ['POP DIRECTIONAL ISOLATE', 'ZD-\u20692401', 'must not contain a bidirectional control character (U+2069)'],
];

const tables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries', 'credits', 'credit_items', 'staff', 'audit_events',
  'idempotency_keys', 'ingest_events', 'ingest_held', 'credit_events'];
/** Every row of the tables, each table's rows sorted (PostgreSQL returns rows in no set order). */
const fingerprint = async (): Promise<string> =>
  JSON.stringify(await Promise.all(tables.map(async (table) => (await t.rows(`SELECT * FROM ${table}`)).map((row) => JSON.stringify(row)).sort())));

describe('hidden characters in staff-written text', () => {
  const fields = ['ticket_ref', 'expected', 'received', 'note'] as const;

  it.each(hidden)('refuses a credit with %s in any text field, naming it, writing nothing', async (_name, text, message) => {
    for (const field of fields) {
      const before = await fingerprint();
      const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { [field]: text }));
      expect(res.status, field).toBe(400);
      expect(res.body, field).toEqual({ code: 'validation_failed', message: `Invalid field: ${field}.`, errors: { [field]: message } });
      expect(await fingerprint(), field).toBe(before);
    }
  });

  it('refuses a customer asset link with a bidirectional override, naming it', async () => {
    const before = await fingerprint();
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { customer_asset_urls: ['https://cdn.example.com/\u202Egnp.exe'] });
    const res = await postCredit(w.as.agent, body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({ 'customer_asset_urls.0': 'must not contain a bidirectional control character (U+202E)' });
    expect(await fingerprint()).toBe(before);
  });

  it.each(hidden)('refuses a reject or void reason with %s, naming it, writing nothing', async (_name, text, message) => {
    const ops = creditOps(t.ctx, w.people.agent.id);
    const pending = await ops.create(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }], 'pending_approval');
    const applied = await ops.create(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], 'applied');
    for (const path of [`/api/credits/${pending}/reject`, `/api/credits/${applied}/void`]) {
      const before = await fingerprint();
      const res = await act(w.as.lead, path, { reason: `Wrong run ${text}` });
      expect(res.status, path).toBe(400);
      expect(res.body.errors, path).toEqual({ reason: message });
      expect(await fingerprint(), path).toBe(before);
    }
  });

  it.each(hidden)('refuses a staff name with %s on invite and on rename, naming it, writing nothing', async (_name, text, message) => {
    const admin = w.as.admin;
    const before = await fingerprint();
    const invite = await admin.agent.post('/api/staff').set('X-CSRF-Token', admin.csrf).send({ email: 'new.agent@example.test', name: `Eve ${text}`, role: 'agent' });
    expect(invite.status).toBe(400);
    expect(invite.body.errors).toEqual({ name: message });
    const rename = await admin.agent.put(`/api/staff/${w.people.agent.id}`).set('X-CSRF-Token', admin.csrf).send({ name: `Ada ${text}` });
    expect(rename.status).toBe(400);
    expect(rename.body.errors).toEqual({ name: message });
    expect(await fingerprint()).toBe(before);
  });

  it('still takes tabs, line breaks, emoji and right-to-left scripts', async () => {
    const note = 'Customer wrote:\n\t«مرحبا» — שלום 🦊\r\nSee ticket.';
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { note, ticket_ref: 'ZD-🦊-42' }));
    expect(res.status).toBe(201);
    expect(await t.row('SELECT note, ticket_ref FROM credits WHERE id = ?', [res.body.id])).toEqual({ note, ticket_ref: 'ZD-🦊-42' });
  });
});

describe('hidden characters in ingested text', () => {
  /** The scenario's customer, chat and two runs, with `text` in one field of one event. */
  const textFields: [string, string][] = [
    ['s-e1', 'name'], ['s-e1', 'plan'], ['s-e1', 'email'], ['s-e3', 'title'], ['s-e4', 'model'], ['s-e4', 'prompt'],
    ['s-e10', 'error_code'], ['s-e10', 'error_message'],
  ];

  it.each(hidden)('rejects an event with %s in any text field, naming the field, storing nothing of it', async (_name, text, message) => {
    for (const [eventId, field] of textFields) {
      await t.cleanup();
      t = await createTestApp();
      const events: StudioEvent[] = scenario().map((event) => (event.id === eventId ? { ...event, data: { ...event.data, [field]: `${event.data[field]}${text}` } } : event));
      const res = await postEvents(t.app, events);
      expect(res.status, field).toBe(200);
      expect(res.body.rejected, field).toEqual([{ id: eventId, error: `data.${field}: ${message}` }]);
      expect(await t.value('SELECT COUNT(*) FROM ingest_events WHERE id = ?', [eventId]), field).toBe(0);
      // Nothing of the refused text was stored anywhere.
      for (const table of ['customers', 'chats', 'generations', 'ingest_held']) {
        expect(JSON.stringify(await t.rows(`SELECT * FROM ${table}`)), `${field} in ${table}`).not.toContain(JSON.stringify(text).slice(1, -1));
      }
    }
  });
});
