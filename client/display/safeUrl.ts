import { isSafeAssetUrl } from '../../shared/assetUrl.ts';

/**
 * A link or media address taken from data (asset URLs reported by the studio), or null when the
 * console must not follow it: the rule ingestion applies (shared/assetUrl.ts), and an `https:`
 * link to the console itself only when it is a /media/ file. Ingestion refuses the rest too; this
 * is the second line, for whatever reached the database another way.
 */
export const safeMediaUrl = (url: string | null | undefined): string | null => {
  if (typeof url !== 'string' || url === '') return null;
  return isSafeAssetUrl(url, window.location.origin) ? url : null;
};
