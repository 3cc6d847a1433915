import { Alert } from '@mui/material';
import { List, Pagination, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { ApprovalsTable } from './ApprovalsTable.tsx';

/**
 * The approval queue of leads and admins: credits waiting for a decision, oldest first, each with
 * the server's reasons for waiting and the decisions the viewer may take (never approving their
 * own request).
 */
export const ApprovalQueue = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  if (isPending) return null;
  if (!role || !isLeadOrAdmin(role)) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        Leads and admins decide on credits waiting for approval. Your own requests are in the credits list.
      </Alert>
    );
  }
  return (
    <List
      resource="credits"
      title="Approvals"
      filter={{ status: 'pending_approval' }}
      sort={{ field: 'created_at', order: 'ASC' }}
      storeKey="approvals"
      disableSyncWithLocation
      perPage={25}
      exporter={false}
      actions={false}
      empty={false}
      pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
    >
      <ApprovalsTable empty={{ title: 'Nothing waits for approval.', hint: 'Credits above an agent’s limits appear here until a lead decides.' }} />
    </List>
  );
};
