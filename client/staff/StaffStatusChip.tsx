import { Chip } from '@mui/material';
import type { StaffRecord } from '../../shared/staff.ts';
import { staffStatus } from './staffModel.ts';

/** Active, disabled, or still on a temporary password: in words, with a colour that repeats them. */
export const StaffStatusChip = ({ staff }: { staff: Pick<StaffRecord, 'disabled' | 'must_change_password'> }) => {
  const { label, colour } = staffStatus(staff);
  return <Chip label={label} color={colour} size="small" variant="outlined" />;
};
