import { Alert, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Form, Link, TextInput, Title, useCreatePath, useDataProvider, usePermissions } from 'react-admin';
import { useFormContext } from 'react-hook-form';
import type { Role } from '../../shared/roles.ts';
import type { StaffWithPassword } from '../../shared/staff.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { canManageStaff, emptyInviteForm, inviteRequest, readStaffFailure, staffRoleLabel, validateInvite, type InviteFormValues } from './staffModel.ts';
import { RoleInput } from './StaffInputs.tsx';
import { TemporaryPassword } from './TemporaryPassword.tsx';

/** The confirmation, and the request itself; a field the server refuses goes back to the form. */
const InviteConfirmDialog = ({
  values,
  onClose,
  onCreated,
}: {
  values: InviteFormValues | null;
  onClose: () => void;
  onCreated: (created: StaffWithPassword) => void;
}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const queryClient = useQueryClient();
  const { setError } = useFormContext();
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const close = () => {
    setFailure(null);
    onClose();
  };
  // Called directly rather than through a react-query mutation, so the password lands in no cache.
  const create = async (invite: InviteFormValues) => {
    setPending(true);
    setFailure(null);
    try {
      const created = await dataProvider.inviteStaff(inviteRequest(invite));
      await queryClient.invalidateQueries({ queryKey: ['staff'] });
      onCreated(created);
    } catch (error) {
      const outcome = readStaffFailure(error);
      if (outcome.kind === 'invalid') {
        for (const [field, message] of Object.entries(outcome.fieldErrors)) setError(field, { type: 'server', message });
        close();
      } else {
        setFailure(outcome.message);
      }
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open={values !== null} onClose={pending ? undefined : close} aria-labelledby="invite-title" fullWidth maxWidth="sm">
      <DialogTitle id="invite-title">Create this account?</DialogTitle>
      <DialogContent>
        {values && (
          <DialogContentText component="div">
            <strong>{values.name}</strong> ({values.email}) as <strong>{staffRoleLabel(values.role)}</strong>.
            <Box component="p" sx={{ mb: 0 }}>
              Token Desk makes a temporary password that you see once, on the next screen, to pass on. The account is audited under
              your name.
            </Box>
          </DialogContentText>
        )}
        {failure && (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {failure}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={pending}>
          Cancel
        </Button>
        <Button variant="contained" onClick={() => values && create(values)} disabled={pending} autoFocus>
          {pending ? 'Creating…' : 'Create account'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};

const Created = ({ created, onAnother }: { created: StaffWithPassword; onAnother: () => void }) => {
  const createPath = useCreatePath();
  return (
    <Stack spacing={2}>
      <Typography>
        The account of <strong>{created.name}</strong> ({staffRoleLabel(created.role)}) is ready.
      </Typography>
      <TemporaryPassword name={created.name} email={created.email} password={created.temporary_password} />
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Button variant="contained" component={Link} to={createPath({ resource: 'staff', id: created.id, type: 'show' })}>
          I have passed it on: open the account
        </Button>
        <Button onClick={onAnother}>Add another person</Button>
      </Box>
    </Stack>
  );
};

/** Onboarding (admins): e-mail, name, role; then the temporary password, once. */
export const StaffCreate = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  const [review, setReview] = useState<InviteFormValues | null>(null);
  const [created, setCreated] = useState<StaffWithPassword | null>(null);
  if (isPending) return null;
  if (!canManageStaff(role)) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        Only admins add staff members.
      </Alert>
    );
  }
  return (
    <Card sx={{ mt: 2, maxWidth: 760 }}>
      <Title title="Add a staff member" />
      <CardContent>
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          The person gets a temporary password, which they must change at their first sign-in.
        </Typography>
        {created ? (
          <Created created={created} onAnother={() => setCreated(null)} />
        ) : (
          <Form
            defaultValues={emptyInviteForm}
            validate={validateInvite}
            onSubmit={(values: Partial<InviteFormValues>) => setReview({ ...emptyInviteForm, ...values })}
            noValidate
          >
            <Stack spacing={1} sx={{ maxWidth: 560 }}>
              <TextInput source="email" label="E-mail" type="email" autoComplete="off" autoFocus />
              <TextInput source="name" label="Name" autoComplete="off" />
              <RoleInput />
              <Box>
                <Button type="submit" variant="contained">
                  Review…
                </Button>
              </Box>
            </Stack>
            <InviteConfirmDialog
              values={review}
              onClose={() => setReview(null)}
              onCreated={record => {
                setReview(null);
                setCreated(record);
              }}
            />
          </Form>
        )}
      </CardContent>
    </Card>
  );
};
