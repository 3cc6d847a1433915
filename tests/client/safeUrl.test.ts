import { describe, expect, it } from 'vitest';
import { safeMediaUrl } from '../../client/display/safeUrl.ts';

describe('safeMediaUrl', () => {
  it.each(['https://cdn.example.com/a.png', 'https://cdn.example.com/renders/a%20b.png?v=2', '/media/image-01.png', '/media/video-01-poster.jpg'])(
    'keeps %s',
    url => {
      expect(safeMediaUrl(url)).toBe(url);
    },
  );

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://cdn.example.com/a.png',
    '//evil.example.com/a.png',
    '/media/../api/auth/logout',
    '/media//evil.example.com/x',
    '/api/customers',
    'media/image-01.png',
    '',
    null,
    undefined,
  ])('refuses %s', url => {
    expect(safeMediaUrl(url)).toBeNull();
  });

  // What a browser would resolve outside /media/: it decodes %2e dot segments,
  // drops tabs and newlines, and reads a backslash as a slash.
  it.each([
    '/media/%2E%2E/%2E%2E/api/audit/export.csv',
    '/media/.%2e/api/credits/export.csv',
    '/media/%2e./api/customers',
    '/media/.\t./api/auth/me',
    '/media/.\n./api/auth/me',
    '/media/%252e%252e/api/customers',
    '/media/..%2Fapi%2Fcustomers',
    '/media/..%5Capi%5Ccustomers',
    '/media/.\\./api/customers',
    '/media/ ../api/customers',
    '/media/.%00./api/customers',
    '/media/image-01.png/../../api/customers',
    '/media/.hidden.png',
    '/media/\u202Egnp.exe',
  ])('refuses the /media/ escape %j', url => {
    expect(safeMediaUrl(url)).toBeNull();
  });

  it('refuses an https: link to the console itself unless it is a /media/ file', () => {
    const own = window.location.origin.replace(/^http:/, 'https:');
    const original = window.location.href;
    window.location.href = `${own}/`;
    try {
      expect(window.location.origin).toBe(own);
      expect(safeMediaUrl(`${own}/api/audit/export.csv`)).toBeNull();
      expect(safeMediaUrl(`${own}/media/%2e%2e/api/credits/export.csv`)).toBeNull();
      expect(safeMediaUrl(`${own}/media/image-01.png?download=1`)).toBeNull();
      expect(safeMediaUrl(`${own}/media/image-01.png`)).toBe(`${own}/media/image-01.png`);
    } finally {
      window.location.href = original;
    }
  });
});
