import { LocalizationProvider } from '@mui/x-date-pickers/LocalizationProvider';
import { AdapterDayjs } from '@mui/x-date-pickers/AdapterDayjs';
import { DesktopDateTimePicker } from '@mui/x-date-pickers/DesktopDateTimePicker';
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import type { WallTimePickerProps } from './WallTimePicker.tsx';
import { wallTimeDisplayFormat } from './wallTimeFormat.ts';

dayjs.extend(utc);

const wallFormat = 'YYYY-MM-DDTHH:mm';

/**
 * The date-time picker itself (MUI X), loaded only when a screen shows one. It edits a wall-clock
 * reading, not an instant: the value is held as UTC so that no clock's daylight-saving jump can
 * skip or repeat a time the customer reported; the screen says whose clock it is read on.
 */
const WallTimePickerField = ({ label, value, onChange, helperText, width = 230 }: WallTimePickerProps) => {
  const current = value ? dayjs.utc(value, wallFormat) : null;
  const changed = (next: Dayjs | null) => {
    if (!next) onChange('');
    else onChange(next.isValid() ? next.format(wallFormat) : null);
  };
  return (
    <LocalizationProvider dateAdapter={AdapterDayjs}>
      <DesktopDateTimePicker
        label={label}
        value={current?.isValid() ? current : null}
        onChange={changed}
        timezone="UTC"
        ampm={false}
        format={wallTimeDisplayFormat}
        enableAccessibleFieldDOMStructure={false}
        slotProps={{
          textField: { size: 'small', helperText, sx: { width } },
          field: { clearable: true },
        }}
      />
    </LocalizationProvider>
  );
};

export default WallTimePickerField;
