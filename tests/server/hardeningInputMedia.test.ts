import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postEvents, scenario } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

/**
 * Asset URLs that a browser resolves to a path outside /media/: it decodes
 * `%2e` dot segments, drops tabs and newlines, and reads a backslash as a
 * slash. An <img> of any of them would make a lead's browser fetch an export.
 */
const escapes = [
  '/media/%2E%2E/%2E%2E/api/audit/export.csv',
  '/media/.%2e/api/credits/export.csv',
  '/media/%2e./api/customers',
  '/media/.\t./api/auth/me',
  '/media/.\n./api/auth/me',
  '/media/.\r./api/customers',
  '/media/%252e%252e/api/customers',
  '/media/..%2Fapi%2Fcustomers',
  '/media/..%5Capi%5Ccustomers',
  '/media/.\\./api/customers',
  '/media/%2F%2Fevil.example.com/x.png',
  '/media/ ../api/customers',
  '/media/.%00./api/customers',
  '/media/image-01.png/../../api/customers',
  '/media/',
  '/media/.hidden.png',
];

const asset = (id: string, url: string, thumbnail?: string) => ({
  id: `ev-${id}`, type: 'asset.created', occurred_at: '2026-11-20T10:05:00Z',
  data: { id, generation_id: 's-g1', kind: 'image', mime: 'image/png', url, thumbnail_url: thumbnail, created_at: '2026-11-20T10:05:00Z' },
});

const rows = async () => ({
  assets: await t.rows('SELECT id FROM assets ORDER BY id'),
  processed: await t.rows('SELECT id FROM ingest_events ORDER BY id'),
  held: await t.rows('SELECT event_id FROM ingest_held ORDER BY event_id'),
});

describe('asset URLs under /media/ (ingestion)', () => {
  it.each(escapes)('refuses %j as url and as thumbnail_url, storing nothing', async (url) => {
    await postEvents(t.app, scenario().slice(0, 6)).expect(200);
    const before = await rows();
    const res = await postEvents(t.app, [asset('a-url', url), asset('a-thumb', 'https://cdn.example.com/x.png', url)]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { id: 'ev-a-url', error: 'data.url: must be an https: URL or a /media/ path' },
        { id: 'ev-a-thumb', error: 'data.thumbnail_url: must be an https: URL or a /media/ path' },
      ],
    });
    expect(await rows()).toEqual(before);
  });

  it('still accepts plain /media/ file names and https: links', async () => {
    await postEvents(t.app, scenario().slice(0, 6)).expect(200);
    const res = await postEvents(t.app, [
      asset('a-img', '/media/image-01.png', '/media/video-01-poster.jpg'),
      asset('a-cdn', 'https://cdn.example.com/renders/a%20b.png?v=2'),
    ]);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await t.rows('SELECT id, url, thumbnail_url FROM assets ORDER BY id')).toEqual([
      { id: 'a-cdn', url: 'https://cdn.example.com/renders/a%20b.png?v=2', thumbnail_url: null },
      { id: 'a-img', url: '/media/image-01.png', thumbnail_url: '/media/video-01-poster.jpg' },
    ]);
  });
});
