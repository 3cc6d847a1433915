import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { createTestApp, type TestApp } from '../support/testApp.ts';
import { getList, listIds, minutesFromNow, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
});
afterEach(() => t.cleanup());

async function buildPeople() {
  return {
    grace: await buildCustomer(t.ctx, { id: 'cus_grace', name: 'Grace Hopper', email: 'grace@navy.example', plan: 'pro', createdAt: minutesFromNow(t, -30), balance: 700 }),
    alan: await buildCustomer(t.ctx, { id: 'cus_alan', name: 'alan Turing', email: 'alan@bletchley.example', plan: 'free', createdAt: minutesFromNow(t, -20) }),
    ada: await buildCustomer(t.ctx, { id: 'cus_ada', name: 'Ada Lovelace', email: 'countess@engine.example', plan: 'team', createdAt: minutesFromNow(t, -10) }),
    percent: await buildCustomer(t.ctx, { id: 'cus_pct', name: '100% Studio', email: 'grace.fan@studio.example', plan: 'pro', createdAt: minutesFromNow(t, -5) }),
  };
}

describe('GET /api/customers', () => {
  it('answers the record with its balance, the sum of its ledger entries', async () => {
    const { grace } = await buildPeople();
    const chat = await buildChat(t.ctx, grace.id);
    await buildRun(t.ctx, chat, grace.id, { charge: 120 });
    const res = await browser.get(`/api/customers/${grace.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'cus_grace', name: 'Grace Hopper', email: 'grace@navy.example', plan: 'pro', time_zone: 'Europe/Paris',
      created_at: minutesFromNow(t, -30), balance: 580,
    });
    expect(await t.value('SELECT SUM(amount) FROM ledger_entries WHERE customer_id = ?', [grace.id])).toBe(580);
  });

  it('q finds a name or e-mail prefix in any case, or an id prefix', async () => {
    await buildPeople();
    expect(await listIds(browser, 'customers', { filter: { q: 'GRACE' }, sort: ['id', 'ASC'] })).toEqual(['cus_grace', 'cus_pct']);
    expect(await listIds(browser, 'customers', { filter: { q: 'Alan' } })).toEqual(['cus_alan']);
    expect(await listIds(browser, 'customers', { filter: { q: 'countess@' } })).toEqual(['cus_ada']);
    expect(await listIds(browser, 'customers', { filter: { q: 'cus_a' }, sort: ['id', 'ASC'] })).toEqual(['cus_ada', 'cus_alan']);
    expect(await listIds(browser, 'customers', { filter: { q: '  ada  ' } })).toEqual(['cus_ada']);
    // Only prefixes: "Hopper" is inside a name, not at its start.
    expect(await listIds(browser, 'customers', { filter: { q: 'Hopper' } })).toEqual([]);
    // LIKE's wildcards are plain characters.
    expect(await listIds(browser, 'customers', { filter: { q: '100%' } })).toEqual(['cus_pct']);
    expect(await listIds(browser, 'customers', { filter: { q: '1_0' } })).toEqual([]);
    expect(await listIds(browser, 'customers', { filter: { q: '%' } })).toEqual([]);
    // A blank search is no search.
    expect(await listIds(browser, 'customers', { filter: { q: '   ' } })).toHaveLength(4);
  });

  it('filters by plan, also together with q', async () => {
    await buildPeople();
    expect(await listIds(browser, 'customers', { filter: { plan: 'pro' }, sort: ['id', 'ASC'] })).toEqual(['cus_grace', 'cus_pct']);
    expect(await listIds(browser, 'customers', { filter: { plan: 'pro', q: 'grace@' } })).toEqual(['cus_grace']);
    expect(await listIds(browser, 'customers', { filter: { plan: 'enterprise' } })).toEqual([]);
    const bad = await getList(browser, 'customers', { filter: { plan: '' } });
    expect(bad.res.body.errors).toEqual({ 'filter.plan': 'must not be empty' });
  });

  it('sorts by name ignoring case, e-mail, created_at and id, both ways', async () => {
    await buildPeople();
    const byName = ['cus_pct', 'cus_ada', 'cus_alan', 'cus_grace'];
    expect(await listIds(browser, 'customers', { sort: ['name', 'ASC'] })).toEqual(byName);
    expect(await listIds(browser, 'customers', { sort: ['name', 'DESC'] })).toEqual([...byName].reverse());
    expect(await listIds(browser, 'customers', { sort: ['email', 'ASC'] })).toEqual(['cus_alan', 'cus_ada', 'cus_pct', 'cus_grace']);
    expect(await listIds(browser, 'customers', { sort: ['created_at', 'DESC'] })).toEqual(['cus_pct', 'cus_ada', 'cus_alan', 'cus_grace']);
    expect(await listIds(browser, 'customers', { sort: ['id', 'DESC'] })).toEqual(['cus_pct', 'cus_grace', 'cus_alan', 'cus_ada']);
    const bad = await getList(browser, 'customers', { sort: ['balance', 'ASC'] });
    expect(bad.res.body.errors).toEqual({ sort: 'cannot sort customers by balance (sortable: id, name, email, created_at)' });
  });

  it('pages with range, reporting each page in Content-Range', async () => {
    await buildPeople();
    const first = await getList(browser, 'customers', { sort: ['name', 'ASC'], range: [0, 1] });
    expect(first.rows.map((row) => row.id)).toEqual(['cus_pct', 'cus_ada']);
    expect(first.contentRange).toBe('customers 0-1/4');
    const second = await getList(browser, 'customers', { sort: ['name', 'ASC'], range: [2, 3] });
    expect(second.rows.map((row) => row.id)).toEqual(['cus_alan', 'cus_grace']);
    expect(second.contentRange).toBe('customers 2-3/4');
    const last = await getList(browser, 'customers', { sort: ['name', 'ASC'], range: [3, 10] });
    expect(last.contentRange).toBe('customers 3-3/4');
  });
});
