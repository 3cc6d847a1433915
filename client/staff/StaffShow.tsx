import Block from '@mui/icons-material/Block';
import Edit from '@mui/icons-material/Edit';
import Key from '@mui/icons-material/Key';
import Logout from '@mui/icons-material/Logout';
import PlayCircleOutline from '@mui/icons-material/PlayCircleOutline';
import { Alert, Box, Button, CardContent, Divider, Stack, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Show, useDataProvider, useGetIdentity, useNotify, usePermissions, useRecordContext, useUpdate } from 'react-admin';
import type { Role } from '../../shared/roles.ts';
import type { StaffRecord } from '../../shared/staff.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { canManageStaff, canReadStaff, sessionCount, staffRoleDuties, staffRoleLabel } from './staffModel.ts';
import { StaffActionDialog } from './StaffActionDialog.tsx';
import { StaffEditDialog } from './StaffEditDialog.tsx';
import { StaffStatusChip } from './StaffStatusChip.tsx';
import { TemporaryPassword } from './TemporaryPassword.tsx';

type OpenDialog = 'edit' | 'disable' | 'enable' | 'end-sessions' | 'reset-password' | null;

/** The audit log narrowed to this account's events. */
const auditTrailPath = (staffId: string): string =>
  `/audit?${new URLSearchParams({ filter: JSON.stringify({ entity_type: 'staff', entity_id: staffId }) })}`;

/** An admin's actions on one account, each behind an explicit confirmation. */
const StaffAdminActions = ({ staff, isSelf }: { staff: StaffRecord; isSelf: boolean }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [update] = useUpdate<StaffRecord>();
  const [open, setOpen] = useState<OpenDialog>(null);
  const close = () => setOpen(null);

  const setDisabled = async (disabled: boolean) => {
    await update('staff', { id: staff.id, data: { disabled }, previousData: staff }, { mutationMode: 'pessimistic', returnPromise: true });
    notify(disabled ? `${staff.name} is disabled and signed out everywhere.` : `${staff.name} can sign in again.`, { type: 'success' });
  };
  const endSessions = async () => {
    const { sessions_ended: ended } = await dataProvider.endSessions(staff.id);
    notify(ended > 0 ? `Ended ${sessionCount(ended)} of ${staff.name}.` : `${staff.name} had no open session.`, { type: 'success' });
  };
  const resetPassword = async () => {
    const reset = await dataProvider.resetPassword(staff.id);
    await queryClient.invalidateQueries({ queryKey: ['staff'] });
    return <TemporaryPassword name={reset.name} email={reset.email} password={reset.temporary_password} />;
  };

  return (
    <>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <Button variant="outlined" startIcon={<Edit />} onClick={() => setOpen('edit')}>
          Edit name or role…
        </Button>
        {staff.disabled ? (
          <Button variant="outlined" startIcon={<PlayCircleOutline />} onClick={() => setOpen('enable')}>
            Enable…
          </Button>
        ) : (
          <Button variant="outlined" color="error" startIcon={<Block />} onClick={() => setOpen('disable')}>
            Disable…
          </Button>
        )}
        <Button variant="outlined" startIcon={<Logout />} onClick={() => setOpen('end-sessions')} disabled={staff.disabled}>
          End sessions…
        </Button>
        <Button variant="outlined" startIcon={<Key />} onClick={() => setOpen('reset-password')} disabled={staff.disabled}>
          Reset password…
        </Button>
      </Stack>

      <StaffEditDialog staff={staff} isSelf={isSelf} open={open === 'edit'} onClose={close} />
      <StaffActionDialog
        open={open === 'disable'}
        title={`Disable ${staff.name}?`}
        confirmLabel="Disable and sign out"
        destructive
        run={() => setDisabled(true)}
        onClose={close}
      >
        <p>
          Every session of {staff.name} ends <strong>at once</strong>: their next click takes them to the sign-in page, and they
          cannot sign in again until an admin enables the account.
        </p>
        <p>Nothing they did is deleted: their credits and audit events stay as they are.</p>
        {isSelf && <Alert severity="warning">This is your own account: you will be signed out too.</Alert>}
      </StaffActionDialog>
      <StaffActionDialog open={open === 'enable'} title={`Enable ${staff.name}?`} confirmLabel="Enable" run={() => setDisabled(false)} onClose={close}>
        {staff.name} can sign in again with their password, as {staffRoleLabel(staff.role).toLowerCase()}.
      </StaffActionDialog>
      <StaffActionDialog
        open={open === 'end-sessions'}
        title={`End every session of ${staff.name}?`}
        confirmLabel="End sessions"
        run={endSessions}
        onClose={close}
      >
        {staff.name} is signed out on every device at once. The account stays active: they can sign in again.
        {isSelf && ' This includes this session of yours.'}
      </StaffActionDialog>
      <StaffActionDialog
        open={open === 'reset-password'}
        title={`Reset the password of ${staff.name}?`}
        confirmLabel="Reset password"
        destructive
        run={resetPassword}
        onClose={close}
      >
        Their current password stops working and their sessions end at once. Token Desk makes a temporary password, shown to you
        once, to pass on; they must choose their own at their next sign-in.
      </StaffActionDialog>
    </>
  );
};

const StaffDetails = ({ canManage }: { canManage: boolean }) => {
  const staff = useRecordContext<StaffRecord>();
  const { identity } = useGetIdentity();
  if (!staff) return null;
  const isSelf = identity != null && String(identity.id) === staff.id;
  return (
    <CardContent>
      <Typography variant="h5" component="h2" gutterBottom>
        {staff.name}
        {isSelf && (
          <Typography component="span" color="text.secondary">
            {' '}
            (you)
          </Typography>
        )}
      </Typography>
      <FactList minWidth={220}>
        <Fact term="E-mail">{staff.email}</Fact>
        <Fact term="Role">
          {staffRoleLabel(staff.role)}
          <Typography variant="body2" color="text.secondary" component="span" sx={{ display: 'block' }}>
            {staffRoleDuties[staff.role]}
          </Typography>
        </Fact>
        <Fact term="Account">
          <StaffStatusChip staff={staff} />
        </Fact>
        <Fact term="Created">
          <DateTimeText value={staff.created_at} />
        </Fact>
        <Fact term="Last changed">
          <DateTimeText value={staff.updated_at} />
        </Fact>
      </FactList>
      <Divider sx={{ my: 2 }} />
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        {canManage ? (
          <StaffAdminActions staff={staff} isSelf={isSelf} />
        ) : (
          <Typography color="text.secondary">Only admins change staff accounts.</Typography>
        )}
        <Link to={auditTrailPath(staff.id)}>Audit trail of this account</Link>
      </Box>
    </CardContent>
  );
};

/** One staff account: leads read it; admins edit, disable or enable it, end its sessions, reset its password. */
export const StaffShow = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  if (isPending) return null;
  if (!canReadStaff(role)) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        Staff accounts are for leads (to read) and admins (to manage).
      </Alert>
    );
  }
  return (
    <Show actions={false}>
      <StaffDetails canManage={canManageStaff(role)} />
    </Show>
  );
};
