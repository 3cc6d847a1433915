import HowToReg from '@mui/icons-material/HowToReg';
import { Chip } from '@mui/material';
import { Menu, useGetList, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { LIVE_REFRESH_MS } from '../layout/liveCounts.ts';
import { approvalsPath } from './creditPaths.ts';

/** The number of credits waiting for approval (only its total is read). */
const PendingCount = () => {
  const { total } = useGetList(
    'credits',
    {
      filter: { status: 'pending_approval' },
      pagination: { page: 1, perPage: 1 },
      sort: { field: 'created_at', order: 'ASC' },
    },
    { refetchInterval: LIVE_REFRESH_MS },
  );
  if (!total) return null;
  return <Chip component="span" label={total} size="small" color="warning" aria-label={`${total} waiting`} sx={{ ml: 1 }} />;
};

/** "Approvals" in the menu, with the number waiting, for leads and admins. */
export const ApprovalsMenuItem = () => {
  const { permissions: role } = usePermissions<Role>();
  if (!role || !isLeadOrAdmin(role)) return null;
  return (
    <Menu.Item
      to={approvalsPath}
      primaryText={
        <>
          Approvals
          <PendingCount />
        </>
      }
      leftIcon={<HowToReg />}
    />
  );
};
