/**
 * A link or media address taken from data (asset URLs reported by the studio), or null when the
 * console must not follow it. Only `https:` addresses and the console's own `/media/` files pass:
 * never `javascript:`, `data:`, `http:` or a path that climbs out of /media/. Ingestion refuses
 * the rest too; this is the second line, for whatever reached the database another way.
 */
export const safeMediaUrl = (url: string | null | undefined): string | null => {
  if (typeof url !== 'string' || url === '') return null;
  if (url.startsWith('/media/')) {
    return url.includes('..') || url.includes('//') || url.includes('\\') ? null : url;
  }
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
};
