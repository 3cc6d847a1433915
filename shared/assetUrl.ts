import { hiddenCharacterProblem } from './text.ts';

/**
 * One of the console's own media files: `/media/` and a single plain file
 * name. Nothing in such a name needs escaping, so any `%`, backslash, slash,
 * whitespace or control character is refused rather than decoded: a browser
 * decodes `%2e%2e` to `..`, drops tabs and newlines, and reads `\` as `/`, so
 * `/media/.%2e/api/…` or `/media/.<TAB>./api/…` would otherwise reach the API.
 * The name may not start with a dot, which rules out `.` and `..` outright.
 */
const MEDIA_FILE_PATH = /^\/media\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Whitespace and controls: a browser strips some of them from a URL before reading it. */
const URL_UNSAFE_CHARACTER = /[\s\u0000-\u001F\u007F-\u009F]/;

/**
 * Whether an asset URL reported by the studio may be shown by the console:
 * an `https:` link or a `/media/` file (see MEDIA_FILE_PATH); never
 * `javascript:`, `data:`, `http:` or a path that leaves /media/. Ingestion
 * and the SPA both ask this.
 *
 * `ownOrigin` is the console's own origin, known to the browser only: an
 * `https:` link to it must be a /media/ file too, or a crafted asset could
 * point a lead's browser at `https://<console>/api/…`.
 */
export function isSafeAssetUrl(url: string, ownOrigin?: string): boolean {
  if (URL_UNSAFE_CHARACTER.test(url) || hiddenCharacterProblem(url) !== null) return false;
  if (url.startsWith('/')) return MEDIA_FILE_PATH.test(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  // The parser has already resolved dot segments and backslashes, as the browser will.
  if (ownOrigin !== undefined && parsed.origin === ownOrigin) return parsed.search === '' && MEDIA_FILE_PATH.test(parsed.pathname);
  return true;
}
