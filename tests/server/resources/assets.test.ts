import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { createTestApp, type TestApp } from '../support/testApp.ts';
import { buildAsset, getList, listIds, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
});
afterEach(() => t.cleanup());

async function buildGallery() {
  const ada = await buildCustomer(t.ctx);
  const bob = await buildCustomer(t.ctx);
  const chat = await buildChat(t.ctx, ada.id);
  const stills = await buildRun(t.ctx, chat, ada.id, { charge: 10 });
  const clip = await buildRun(t.ctx, chat, ada.id, { tool: 'video', charge: 100 });
  const bobRun = await buildRun(t.ctx, await buildChat(t.ctx, bob.id), bob.id);
  const assets = {
    still1: await buildAsset(t.ctx, stills, ada.id, { id: 'ast_1', createdAt: '2026-11-20T10:00:00.000Z' }),
    still2: await buildAsset(t.ctx, stills, ada.id, { id: 'ast_2', createdAt: '2026-11-20T10:00:01.000Z' }),
    clip: await buildAsset(t.ctx, clip, ada.id, { id: 'ast_3', kind: 'video', createdAt: '2026-11-20T11:00:00.000Z' }),
    bob: await buildAsset(t.ctx, bobRun, bob.id, { id: 'ast_4', createdAt: '2026-11-20T09:00:00.000Z' }),
  };
  return { ada, bob, stills, clip, assets };
}

describe('GET /api/assets', () => {
  it('answers an asset with its media fields', async () => {
    const { ada, clip } = await buildGallery();
    const res = await browser.get('/api/assets/ast_3');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'ast_3', generation_id: clip.id, customer_id: ada.id, kind: 'video', mime: 'video/mp4', url: '/media/video-01.mp4',
      thumbnail_url: '/media/video-01-poster.jpg', width: 1024, height: 768, duration_ms: 5000, bytes: 123456,
      created_at: '2026-11-20T11:00:00.000Z',
    });
  });

  it('filters by generation_id (one or several), customer_id and kind, with exact totals when narrowed', async () => {
    const { ada, bob, stills, clip } = await buildGallery();
    const ids = (filter: Record<string, unknown>) => listIds(browser, 'assets', { filter, sort: ['created_at', 'ASC'] });
    expect(await ids({ generation_id: stills.id })).toEqual(['ast_1', 'ast_2']);
    expect(await ids({ generation_id: [stills.id, clip.id] })).toEqual(['ast_1', 'ast_2', 'ast_3']);
    expect(await ids({ customer_id: bob.id })).toEqual(['ast_4']);
    expect(await ids({ kind: 'video' })).toEqual(['ast_3']);
    expect(await ids({ kind: 'image', customer_id: ada.id })).toEqual(['ast_1', 'ast_2']);
    const page = await getList(browser, 'assets', { filter: { customer_id: ada.id }, range: [1, 1], sort: ['created_at', 'DESC'] });
    expect(page.rows.map((row) => row.id)).toEqual(['ast_2']);
    expect(page.contentRange).toBe('assets 1-1/3');
    const bad = await getList(browser, 'assets', { filter: { kind: 'audio', generation_id: [] } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.res.body.errors)).toEqual(['filter.kind']);
    expect(await ids({ generation_id: [] })).toEqual([]);
  });

  it('sorts by created_at and id both ways, by kind only when narrowed', async () => {
    const { ada } = await buildGallery();
    expect(await listIds(browser, 'assets', { sort: ['created_at', 'DESC'] })).toEqual(['ast_3', 'ast_2', 'ast_1', 'ast_4']);
    expect(await listIds(browser, 'assets', { sort: ['id', 'DESC'] })).toEqual(['ast_4', 'ast_3', 'ast_2', 'ast_1']);
    expect(await listIds(browser, 'assets', { filter: { customer_id: ada.id }, sort: ['kind', 'DESC'] })).toEqual(['ast_3', 'ast_2', 'ast_1']);
    expect((await getList(browser, 'assets', { sort: ['kind', 'ASC'] })).status).toBe(400);
  });
});
