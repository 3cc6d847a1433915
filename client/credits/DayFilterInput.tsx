import { useMemo } from 'react';
import { DateInput } from 'react-admin';
import { viewerTimeZone } from '../display/format.ts';
import { dayBoundInstant, dayOfInstant } from './creditModel.ts';

/**
 * A list filter on a calendar day of the viewer's clock: "from" filters from the start of the day,
 * "to" up to its end, both sent as UTC instants.
 */
export const DayFilterInput = ({ source, label, edge, alwaysOn }: { source: string; label: string; edge: 'gte' | 'lte'; alwaysOn?: boolean }) => {
  const timeZone = useMemo(viewerTimeZone, []);
  return (
    <DateInput
      source={source}
      label={label}
      alwaysOn={alwaysOn}
      format={(value: string | null | undefined) => dayOfInstant(value, timeZone)}
      parse={(day: string) => dayBoundInstant(day, edge, timeZone) ?? ''}
    />
  );
};
