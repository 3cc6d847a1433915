import type { Request } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { createIngestRepository } from '../../db/repositories/ingestRepository.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

/**
 * Asset URLs that Chromium resolves outside /media/ (it decodes `%2e` dot
 * segments and drops tabs), each aimed at something a lead's session can read.
 * Ingestion refuses them now, so they go straight into the database, as data
 * from before the fix or from a restored backup would.
 */
const crafted = {
  auditExport: '/media/%2E%2E/%2E%2E/api/audit/export.csv',
  creditExport: '/media/.%2e/api/credits/export.csv',
  me: '/media/.\t./api/auth/me',
  customers: '/media/%2e./api/customers',
};

const plainMediaFile = /^\/media\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function plantAssets(databasePath: string): { runId: string; chatId: string } {
  const db = openDatabase(databasePath);
  try {
    // A run without outputs of its own, so the run list's four thumbnails are the planted ones.
    const run = db.prepare('SELECT id, chat_id, customer_id FROM generations WHERE asset_count = 0 ORDER BY id LIMIT 1').get() as
      { id: string; chat_id: string; customer_id: string };
    const repo = createIngestRepository(db);
    const at = new Date().toISOString();
    const asset = (id: string, kind: 'image' | 'video', url: string, thumbnail: string | null) =>
      repo.insertAsset({
        id, generation_id: run.id, customer_id: run.customer_id, kind, mime: kind === 'image' ? 'image/png' : 'video/mp4', url,
        thumbnail_url: thumbnail, width: 512, height: 512, duration_ms: kind === 'video' ? 3000 : null, bytes: 1000, created_at: at,
      });
    db.transaction(() => {
      asset('ast_escape_1', 'image', crafted.auditExport, crafted.creditExport);
      asset('ast_escape_2', 'video', crafted.me, crafted.customers);
      asset('ast_escape_3', 'image', crafted.creditExport, null);
      // A plain file beside them: the watch must see it, or it watches nothing.
      asset('ast_escape_ok', 'image', '/media/image-02.png', null);
    }).immediate();
    return { runId: run.id, chatId: run.chat_id };
  } finally {
    db.close();
  }
}

describe('asset URLs that climb out of /media/', () => {
  test('a run with crafted asset URLs shows on its run page without the browser fetching anything outside /media/ for them', async () => {
    const { page, server } = browserTest;
    const { runId, chatId } = plantAssets(server.databasePath);
    const requested: { path: string; type: string }[] = [];
    page.on('request', (request: Request) => {
      const url = new URL(request.url());
      if (url.origin === server.baseUrl) requested.push({ path: url.pathname, type: request.resourceType() });
    });

    const escaped = () => requested.filter(({ path, type }) => ((type === 'image' || type === 'media') && !plainMediaFile.test(path)) || path.endsWith('/export.csv'));
    // Once the plain file beside them has loaded, the browser has asked for every image rendered with it.
    const plainFileShown = () =>
      page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('img[src="/media/image-02.png"]')].some((img) => img.complete && img.naturalWidth > 0));

    await signInAs(page, demoAccounts.lead);
    await browserTest.open(`/#/generations/${runId}/show`);
    await plainFileShown();
    expect(escaped()).toEqual([]);
    // Each crafted output says why it is not shown, and offers no link to follow.
    await expect(page.getByText('Not shown: the address is neither https: nor a /media/ file.').count()).resolves.toBe(3);
    await expect(page.getByRole('link', { name: /Open original/ }).count()).resolves.toBe(1);

    // The chat's run list shows the same run's outputs as thumbnails.
    await browserTest.open(`/#/chats/${chatId}/show`);
    await plainFileShown();
    expect(escaped()).toEqual([]);
    // The watch saw the plain file load, so it would have seen the others.
    expect(requested.filter(({ type }) => type === 'image').map(({ path }) => path)).toContain('/media/image-02.png');
  });
});
