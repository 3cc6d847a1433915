import { useDisplayTimeZone } from './displayTimeZone.tsx';
import { formatDateTime, utcIso } from './format.ts';
import { formatShortDateTime } from './relativeTime.ts';

/**
 * An instant in the zone of the page (the viewer's, or the customer's where the agent chose their
 * clock) or in `timeZone`, with the UTC ISO value the API sent on hover, so an agent can quote either.
 */
export const DateTimeText = ({
  value,
  timeZone,
  missing = '—',
  noWrap = false,
  short = false,
}: {
  value: string | null | undefined;
  timeZone?: string;
  /** What to show when there is no time (e.g. "not finished"). */
  missing?: string;
  /** Keep it on one line (table cells, where a wrapped time reads badly). */
  noWrap?: boolean;
  /** "Dec 4, 17:18", for a sentence in a crowded row; the full time stays on hover. */
  short?: boolean;
}) => {
  const pageZone = useDisplayTimeZone();
  const zone = timeZone ?? pageZone;
  const iso = utcIso(value);
  if (!iso) return <span>{missing}</span>;
  const full = formatDateTime(iso, zone);
  return (
    <time dateTime={iso} title={short ? `${full} · ${iso} (UTC)` : `${iso} (UTC)`} style={noWrap ? { whiteSpace: 'nowrap' } : undefined}>
      {short ? formatShortDateTime(iso, zone) : full}
    </time>
  );
};
