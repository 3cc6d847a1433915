import { describe, expect, it } from 'vitest';
import { safeMediaUrl } from '../../client/display/safeUrl.ts';

describe('safeMediaUrl', () => {
  it.each(['https://cdn.example.com/a.png', '/media/image-01.png'])('keeps %s', url => {
    expect(safeMediaUrl(url)).toBe(url);
  });

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
});
