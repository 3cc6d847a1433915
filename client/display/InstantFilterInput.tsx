import { useInput } from 'react-admin';
import { viewerTimeZone } from './format.ts';
import { WallTimePicker } from './WallTimePicker.tsx';
import { parseWallTime, utcToWallTime, zonedWallTimeToUtc } from './zonedTime.ts';

const minuteMs = 60_000;

/**
 * A list filter on an instant (`created_at_gte`, `started_at_lte`, …), picked as a date and time
 * on the agent's clock and sent as UTC. An upper bound (`end`) takes in the whole minute picked,
 * so "to 10:04" keeps a run started at 10:04:30.
 */
export const InstantFilterInput = ({
  source,
  label,
  end = false,
}: {
  source: string;
  label: string;
  end?: boolean;
  /** Read by react-admin's filter form. */
  alwaysOn?: boolean;
}) => {
  const { field } = useInput({ source });
  const timeZone = viewerTimeZone();
  const value = typeof field.value === 'string' && field.value ? (utcToWallTime(field.value, timeZone) ?? '') : '';
  const change = (wall: string | null) => {
    // An incomplete date leaves the filter as it was until it is complete.
    if (wall === null) return;
    const parsed = wall ? parseWallTime(wall) : null;
    if (!parsed) {
      field.onChange('');
      return;
    }
    const instant = zonedWallTimeToUtc(parsed, timeZone).getTime() + (end ? minuteMs - 1 : 0);
    field.onChange(new Date(instant).toISOString());
  };
  return <WallTimePicker label={label} value={value} onChange={change} helperText={`Your time (${timeZone})`} width={220} />;
};
