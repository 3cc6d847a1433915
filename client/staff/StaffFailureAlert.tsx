import { Alert, AlertTitle } from '@mui/material';
import { lastAdminExplanation, type StaffFailure } from './staffModel.ts';

/** Why a staff change was refused; the last-admin guard gets its own plain explanation. */
export const StaffFailureAlert = ({ failure }: { failure: StaffFailure | null }) => {
  if (!failure) return null;
  if (failure.kind === 'last_admin') {
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        <AlertTitle>Not changed: this is the last active admin</AlertTitle>
        {lastAdminExplanation}
      </Alert>
    );
  }
  return (
    <Alert severity="error" role="alert" sx={{ mt: 2 }}>
      {failure.message}
    </Alert>
  );
};
