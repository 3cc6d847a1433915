import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { createTestApp, type TestApp } from '../support/testApp.ts';
import { getList, listIds, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
});
afterEach(() => t.cleanup());

async function buildChats() {
  const ada = await buildCustomer(t.ctx, { name: 'Ada' });
  const bob = await buildCustomer(t.ctx, { name: 'Bob' });
  const morning = await buildChat(t.ctx, ada.id, { id: 'chat-morning', title: 'Zebra posters', createdAt: '2026-11-19T08:00:00.000Z' });
  const noon = await buildChat(t.ctx, ada.id, { id: 'chat-noon', title: 'Album cover', createdAt: '2026-11-19T12:00:00.000Z' });
  const night = await buildChat(t.ctx, bob.id, { id: 'chat-night', title: 'Trailer', createdAt: '2026-11-19T23:30:00.000Z' });
  await buildRun(t.ctx, morning, ada.id, { startedAt: '2026-11-19T08:05:00.000Z', charge: 10 });
  await buildRun(t.ctx, morning, ada.id, { startedAt: '2026-11-19T09:40:00.000Z', status: 'running' });
  return { ada, bob, morning, noon, night };
}

describe('GET /api/chats', () => {
  it('answers the chat with its customer name, run count and last run time', async () => {
    const { ada, morning, noon } = await buildChats();
    const res = await browser.get(`/api/chats/${morning.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'chat-morning', customer_id: ada.id, customer_name: 'Ada', title: 'Zebra posters',
      created_at: '2026-11-19T08:00:00.000Z', generation_count: 2, last_run_at: '2026-11-19T09:40:00.000Z',
    });
    const empty = await browser.get(`/api/chats/${noon.id}`);
    expect(empty.body).toMatchObject({ generation_count: 0, last_run_at: null });
  });

  it('filters by customer_id, with an exact total', async () => {
    const { ada, bob } = await buildChats();
    const answer = await getList(browser, 'chats', { filter: { customer_id: ada.id }, sort: ['created_at', 'DESC'], range: [0, 0] });
    expect(answer.rows.map((row) => row.id)).toEqual(['chat-noon']);
    expect(answer.contentRange).toBe('chats 0-0/2');
    expect(await listIds(browser, 'chats', { filter: { customer_id: bob.id } })).toEqual(['chat-night']);
    expect(await listIds(browser, 'chats', { filter: { customer_id: [ada.id, bob.id] }, sort: ['created_at', 'ASC'] })).toEqual([
      'chat-morning', 'chat-noon', 'chat-night',
    ]);
  });

  it('filters by created_at_gte / _lte, inclusive, with date-times in any offset or whole UTC days', async () => {
    await buildChats();
    const between = (filter: Record<string, string>) => listIds(browser, 'chats', { filter, sort: ['created_at', 'ASC'] });
    expect(await between({ created_at_gte: '2026-11-19T12:00:00.000Z' })).toEqual(['chat-noon', 'chat-night']);
    expect(await between({ created_at_lte: '2026-11-19T12:00:00Z' })).toEqual(['chat-morning', 'chat-noon']);
    // 13:00 in Paris is 12:00 UTC.
    expect(await between({ created_at_gte: '2026-11-19T13:00:00+01:00', created_at_lte: '2026-11-19T13:00:00+01:00' })).toEqual(['chat-noon']);
    expect(await between({ created_at_gte: '2026-11-19', created_at_lte: '2026-11-19' })).toEqual(['chat-morning', 'chat-noon', 'chat-night']);
    expect(await between({ created_at_gte: '2026-11-20' })).toEqual([]);
    expect(await between({ created_at_lte: '2026-11-18' })).toEqual([]);
  });

  it('refuses a time that is not ISO 8601 with a zone, naming the filter', async () => {
    for (const value of ['yesterday', '2026-11-19T12:00:00', '2026-13-01', '2026-02-30T00:00:00Z', '1700000000']) {
      const answer = await getList(browser, 'chats', { filter: { created_at_gte: value } });
      expect(answer.status).toBe(400);
      expect(answer.res.body.errors).toEqual({ 'filter.created_at_gte': expect.stringMatching(/^must be an ISO 8601 date-time/) });
    }
  });

  it('sorts by created_at and id both ways; by title only within a customer', async () => {
    const { ada } = await buildChats();
    expect(await listIds(browser, 'chats', { sort: ['created_at', 'DESC'] })).toEqual(['chat-night', 'chat-noon', 'chat-morning']);
    expect(await listIds(browser, 'chats', { sort: ['id', 'ASC'] })).toEqual(['chat-morning', 'chat-night', 'chat-noon']);
    expect(await listIds(browser, 'chats', { filter: { customer_id: ada.id }, sort: ['title', 'ASC'] })).toEqual(['chat-noon', 'chat-morning']);
    const unbounded = await getList(browser, 'chats', { sort: ['title', 'ASC'] });
    expect(unbounded.status).toBe(400);
    expect(unbounded.res.body.errors).toEqual({ sort: 'sorting chats by title needs a customer_id filter' });
  });
});
