import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';
import { useState } from 'react';
import { Form, TextInput, useNotify, useUpdate } from 'react-admin';
import { useFormState, useWatch } from 'react-hook-form';
import type { StaffRecord } from '../../shared/staff.ts';
import { readStaffFailure, staffChanges, staffRoleLabel, type EditFormValues, type StaffFailure } from './staffModel.ts';
import { StaffFailureAlert } from './StaffFailureAlert.tsx';
import { RoleInput } from './StaffInputs.tsx';

/** What the change will do, said before it is saved. */
const Consequence = ({ staff, isSelf }: { staff: StaffRecord; isSelf: boolean }) => {
  const role = useWatch<EditFormValues, 'role'>({ name: 'role' });
  if (!role || role === staff.role) return null;
  const losingAdmin = isSelf && staff.role === 'admin';
  return (
    <Alert severity={losingAdmin ? 'warning' : 'info'} role="status">
      {losingAdmin
        ? `You are giving up your own admin rights: from your next action you are a ${staffRoleLabel(role).toLowerCase()}.`
        : `${staff.name} becomes ${staffRoleLabel(role).toLowerCase()} at once, from their next action. The change is audited.`}
    </Alert>
  );
};

const SaveButton = () => {
  const { isSubmitting } = useFormState();
  return (
    <Button type="submit" variant="contained" disabled={isSubmitting}>
      {isSubmitting ? 'Saving…' : 'Save changes'}
    </Button>
  );
};

/** Name and role of an account (admins); pessimistic, the last-admin refusal shown in the dialog. */
export const StaffEditDialog = ({ staff, isSelf, open, onClose }: { staff: StaffRecord; isSelf: boolean; open: boolean; onClose: () => void }) => {
  const [update] = useUpdate<StaffRecord>();
  const notify = useNotify();
  const [failure, setFailure] = useState<StaffFailure | null>(null);
  const close = () => {
    setFailure(null);
    onClose();
  };
  const save = async (values: Partial<EditFormValues>) => {
    const changes = staffChanges(staff, { name: values.name ?? staff.name, role: values.role ?? staff.role });
    if (Object.keys(changes).length === 0) {
      close();
      return undefined;
    }
    setFailure(null);
    try {
      await update('staff', { id: staff.id, data: changes, previousData: staff }, { mutationMode: 'pessimistic', returnPromise: true });
    } catch (error) {
      const outcome = readStaffFailure(error);
      if (outcome.kind === 'invalid') return outcome.fieldErrors;
      setFailure(outcome);
      return undefined;
    }
    notify(`Saved: ${changes.name ?? staff.name} is ${staffRoleLabel(changes.role ?? staff.role).toLowerCase()}.`, { type: 'success' });
    close();
    return undefined;
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="staff-edit-title" fullWidth maxWidth="sm">
      <Form
        defaultValues={{ name: staff.name, role: staff.role }}
        validate={values => (String(values.name ?? '').trim() ? {} : { name: 'Enter a name' })}
        onSubmit={save}
        noValidate
      >
        <DialogTitle id="staff-edit-title">Edit {staff.name}</DialogTitle>
        <DialogContent>
          <Stack spacing={1} sx={{ pt: 1 }}>
            <TextInput source="name" label="Name" autoFocus />
            <RoleInput />
            <Consequence staff={staff} isSelf={isSelf} />
          </Stack>
          <StaffFailureAlert failure={failure} />
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Cancel</Button>
          <SaveButton />
        </DialogActions>
      </Form>
    </Dialog>
  );
};
