import fc from 'fast-check';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGE_ROWS } from '../../../shared/listQuery.ts';
import {
  assetRecordSchema,
  chatRecordSchema,
  customerRecordSchema,
  generationRecordSchema,
  transactionRecordSchema,
} from '../../../shared/records.ts';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { createTestApp, type TestApp } from '../support/testApp.ts';
import { buildAsset, getList, listIds, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
let fixture: Awaited<ReturnType<typeof buildFixture>>;

/** Two customers; the first with a chat, two charged runs, three assets. Every resource has rows. */
async function buildFixture() {
  const ada = await buildCustomer(t.ctx, { name: 'Ada', balance: 500 });
  const bob = await buildCustomer(t.ctx, { name: 'Bob', balance: 100 });
  const chat = await buildChat(t.ctx, ada.id);
  const first = await buildRun(t.ctx, chat, ada.id, { charge: 20 });
  const second = await buildRun(t.ctx, chat, ada.id, { charge: 30 });
  const assets = [await buildAsset(t.ctx, first, ada.id), await buildAsset(t.ctx, first, ada.id), await buildAsset(t.ctx, second, ada.id, { kind: 'video' })];
  const transactions = (await t.rows<{ id: string }>('SELECT id FROM ledger_entries ORDER BY seq')).map((entry) => entry.id);
  return {
    ids: {
      customers: [ada.id, bob.id],
      chats: [chat.id],
      generations: [first.id, second.id],
      transactions,
      assets: assets.map((a) => a.id),
    } as Record<string, string[]>,
  };
}

beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
  fixture = await buildFixture();
});
afterEach(() => t.cleanup());

const resources = [
  { resource: 'customers', schema: customerRecordSchema, sortable: 'name' },
  { resource: 'chats', schema: chatRecordSchema, sortable: 'created_at' },
  { resource: 'generations', schema: generationRecordSchema, sortable: 'started_at' },
  { resource: 'transactions', schema: transactionRecordSchema, sortable: 'created_at' },
  { resource: 'assets', schema: assetRecordSchema, sortable: 'created_at' },
] as const;

describe.each(resources)('GET /api/$resource', ({ resource, schema, sortable }) => {
  it('answers every row as a record of its shared schema, with Content-Range', async () => {
    const ids = fixture.ids[resource];
    const answer = await getList(browser, resource, { range: [0, 24], sort: [sortable, 'ASC'] });
    expect(answer.status).toBe(200);
    expect(answer.contentRange).toBe(`${resource} 0-${ids.length - 1}/${ids.length}`);
    expect(answer.rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    for (const row of answer.rows) expect(schema.strict().parse(row)).toEqual(row);
  });

  it('fetches many by id with filter={"id":[...]}, skipping unknown ids', async () => {
    const [wanted] = fixture.ids[resource];
    const answer = await getList(browser, resource, { filter: { id: [wanted, 'no-such-id'] } });
    expect(answer.status).toBe(200);
    expect(answer.rows.map((row) => row.id)).toEqual([wanted]);
    expect(answer.contentRange).toBe(`${resource} 0-0/1`);
  });

  it('answers one record by id, the same as in the list, and 404 for an unknown id', async () => {
    const [wanted] = fixture.ids[resource];
    const one = await browser.get(`/api/${resource}/${encodeURIComponent(wanted)}`);
    expect(one.status).toBe(200);
    const listed = await getList(browser, resource, { filter: { id: [wanted] } });
    expect(one.body).toEqual(listed.rows[0]);

    const missing = await browser.get(`/api/${resource}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'not_found', message: expect.stringContaining('nope') });
  });

  it('answers */0 for an empty list, and */total for a page past the end', async () => {
    const empty = await getList(browser, resource, { filter: { id: ['nothing-here'] } });
    expect(empty.status).toBe(200);
    expect(empty.rows).toEqual([]);
    expect(empty.contentRange).toBe(`${resource} */0`);

    const total = fixture.ids[resource].length;
    const past = await getList(browser, resource, { range: [total + 10, total + 19] });
    expect(past.status).toBe(200);
    expect(past.rows).toEqual([]);
    expect(past.contentRange).toBe(`${resource} */${total}`);
  });

  it('refuses an unknown filter, naming it and the known ones', async () => {
    const answer = await getList(browser, resource, { filter: { nope: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.res.body.code).toBe('validation_failed');
    expect(answer.res.body.errors).toEqual({ 'filter.nope': expect.stringMatching(/not a filter of .*filters: id/) });
  });

  it('refuses an unknown sort field, naming it', async () => {
    const answer = await getList(browser, resource, { sort: ['nope', 'ASC'] });
    expect(answer.status).toBe(400);
    expect(answer.res.body.errors).toEqual({ sort: expect.stringMatching(new RegExp(`cannot sort ${resource} by nope \\(sortable: .*${sortable}`)) });
  });

  it(`refuses a range of more than ${MAX_PAGE_ROWS} rows, or one that ends before it starts`, async () => {
    const wide = await getList(browser, resource, { range: [0, MAX_PAGE_ROWS] });
    expect(wide.status).toBe(400);
    expect(wide.res.body.errors).toEqual({ range: `must span at most ${MAX_PAGE_ROWS} rows` });
    expect((await getList(browser, resource, { range: [0, MAX_PAGE_ROWS - 1] })).status).toBe(200);
    const backwards = await getList(browser, resource, { range: [5, 4] });
    expect(backwards.res.body.errors).toEqual({ range: 'must end at or after its start' });
  });

  it('refuses malformed JSON in filter, range and sort, naming each parameter', async () => {
    const res = await browser.get(`/api/${resource}?filter=${encodeURIComponent('{"id":')}&range=oops&sort=${encodeURIComponent('["id"]')}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      errors: { filter: 'is not valid JSON', range: 'is not valid JSON', sort: 'must be ["field", "ASC" or "DESC"]' },
    });
  });
});

describe('the list protocol', () => {
  it('refuses a filter that is not an object, a repeated parameter and an unknown parameter', async () => {
    const array = await browser.get(`/api/customers?filter=${encodeURIComponent('[1,2]')}`);
    expect(array.status).toBe(400);
    expect(array.body.errors).toEqual({ filter: 'must be a JSON object of filter names to values' });
    const twice = await browser.get('/api/customers?range=[0,1]&range=[2,3]');
    expect(twice.body.errors).toEqual({ range: 'must be given once, as JSON' });
    const unknown = await browser.get('/api/customers?page=2');
    expect(unknown.body.errors).toEqual({ page: 'is not a list parameter (use filter, range and sort)' });
  });

  it('refuses __proto__, constructor and prototype as filter names or parameters in every list and export, as any unknown name', async () => {
    const lead = await reader(t, 'lead');
    const lists = ['customers', 'chats', 'generations', 'transactions', 'assets', 'credits', 'audit', 'staff', 'credits/export.csv', 'audit/export.csv'];
    const ada = fixture.ids.customers[0];
    for (const path of lists) {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        // Raw JSON text: an object literal's `__proto__` would set a prototype rather than send the key.
        for (const filter of [`{"${key}":{"id":"x"}}`, `{"${key}":{}}`, `{"id":"${ada}","${key}":{"id":["x"]}}`]) {
          const res = await lead.get(`/api/${path}?filter=${encodeURIComponent(filter)}`);
          expect(res.status, `${path} ${filter}`).toBe(400);
          expect(res.body.code).toBe('validation_failed');
          expect(Object.entries(res.body.errors)).toEqual([[`filter.${key}`, expect.stringMatching(/^is not a filter of .* \(filters: id/)]]);
          expect(res.headers['content-range']).toBeUndefined();
        }
        const parameter = await lead.get(`/api/${path}?${key}=1`);
        expect(parameter.status, `${path}?${key}`).toBe(400);
        expect(Object.entries(parameter.body.errors)).toEqual([[key, 'is not a list parameter (use filter, range and sort)']]);
      }
    }
    expect(await t.value('SELECT COUNT(*) FROM customers')).toBe(2);
  });

  it('refuses a bad sort order and fractional or negative ranges', async () => {
    expect((await getList(browser, 'customers', { sort: ['name', 'UP' as 'ASC'] })).res.body.errors).toEqual({
      sort: 'must be ["field", "ASC" or "DESC"]',
    });
    for (const range of [[-1, 3], [0.5, 3], ['0', 3], [0], {}]) {
      const res = await browser.get(`/api/customers?range=${JSON.stringify(range)}`);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual({ range: 'must be [start, end]: two whole numbers, 0 or more' });
    }
  });

  it('keeps SQL-looking values harmless: bound, never interpolated', async () => {
    const injections = ["x' OR '1'='1", "'; DROP TABLE customers; --", '%', '_', '\\'];
    for (const value of injections) {
      expect(await listIds(browser, 'customers', { filter: { q: value } })).toEqual([]);
      expect(await listIds(browser, 'customers', { filter: { plan: value } })).toEqual([]);
      expect(await listIds(browser, 'transactions', { filter: { customer_id: value } })).toEqual([]);
      expect(await listIds(browser, 'generations', { filter: { id: [value] } })).toEqual([]);
      expect((await browser.get(`/api/chats/${encodeURIComponent(value)}`)).status).toBe(404);
    }
    const badKey = await getList(browser, 'customers', { filter: { 'plan = plan OR 1=1 --': 'x' } });
    expect(badKey.status).toBe(400);
    expect(Object.keys(badKey.res.body.errors)).toEqual(['filter.plan = plan OR 1=1 --']);
    const badSort = await getList(browser, 'customers', { sort: ['name; DROP TABLE customers', 'ASC'] });
    expect(badSort.status).toBe(400);
    expect(await t.value('SELECT COUNT(*) FROM customers')).toBe(2);
  });

  it('reports every bad part at once', async () => {
    const answer = await getList(browser, 'generations', { filter: { status: 'exploded', tool: 42, nope: 1 }, range: [0, 999] });
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.res.body.errors).sort()).toEqual(['filter.nope', 'filter.status', 'filter.tool', 'range']);
    expect(answer.res.body.message).toMatch(/filter\.status/);
  });

  it('answers 200 or 400, never 5xx, to arbitrary filter, range and sort values', async () => {
    const jsonish = fc.oneof(fc.json(), fc.string(), fc.constantFrom('{"q":"a"}', '[0,9]', '["name","ASC"]', '{"id":["x"]}'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('customers', 'chats', 'generations', 'transactions', 'assets'), jsonish, jsonish, jsonish, async (resource, filter, range, sort) => {
        const query = new URLSearchParams({ filter, range, sort });
        const res = await browser.get(`/api/${resource}?${query}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(res.body).toMatchObject({ code: 'validation_failed', errors: expect.any(Object) });
      }),
      { numRuns: 150 },
    );
    expect(await t.value('SELECT COUNT(*) FROM customers')).toBe(2);
  });

  it('answers the first 500 rows when no range is given', async () => {
    const answer = await getList(browser, 'transactions', { filter: { customer_id: fixture.ids.customers[0] } });
    expect(answer.status).toBe(200);
    expect(answer.contentRange).toBe('transactions 0-2/3');
  });

  it('lets agents, leads and admins read, and nobody without a session', async () => {
    for (const role of ['lead', 'admin'] as const) {
      const other = await reader(t, role);
      expect((await getList(other, 'customers')).status).toBe(200);
      expect((await other.get(`/api/customers/${fixture.ids.customers[0]}`)).status).toBe(200);
    }
    for (const path of ['/api/customers', '/api/generations?range=[0,9]', `/api/chats/${fixture.ids.chats[0]}`, '/api/lookup?q=x']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('not_authenticated');
    }
  });
});
