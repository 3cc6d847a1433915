import { formatDateTime, utcIso } from './format.ts';

/**
 * An instant in the viewer's time zone (or `timeZone`), with the UTC ISO value the API sent on
 * hover, so an agent can quote either.
 */
export const DateTimeText = ({
  value,
  timeZone,
  missing = '—',
  noWrap = false,
}: {
  value: string | null | undefined;
  timeZone?: string;
  /** What to show when there is no time (e.g. "not finished"). */
  missing?: string;
  /** Keep it on one line (table cells, where a wrapped time reads badly). */
  noWrap?: boolean;
}) => {
  const iso = utcIso(value);
  if (!iso) return <span>{missing}</span>;
  return (
    <time dateTime={iso} title={`${iso} (UTC)`} style={noWrap ? { whiteSpace: 'nowrap' } : undefined}>
      {formatDateTime(iso, timeZone)}
    </time>
  );
};
