import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useEffect } from 'react';
import { useBlocker } from 'react-admin';
import { useFormState } from 'react-hook-form';

/**
 * Asks before leaving a form whose changes were not sent: for a move inside the console (a link,
 * the menu, the browser's Back) with a dialog of its own, and for a reload or a closed tab with
 * the browser's. react-admin's `warnWhenUnsavedChanges` would stop asking once the form was
 * submitted, and the credit form's submit only opens the review: the credit is not sent yet.
 * Render it inside the form; once the form is gone (the credit was sent), nothing is asked.
 */
export const LeaveFormGuard = ({ what }: { what: string }) => {
  const { isDirty } = useFormState();
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      isDirty && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search),
  );

  useEffect(() => {
    if (!isDirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [isDirty]);

  const blocked = blocker.state === 'blocked';
  return (
    <Dialog open={blocked} onClose={() => blocker.reset?.()} aria-labelledby="leave-form-title">
      <DialogTitle id="leave-form-title">Leave without sending?</DialogTitle>
      <DialogContent>
        <DialogContentText>{what} is not sent: what you entered here is lost if you leave.</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => blocker.proceed?.()} color="error">
          Leave
        </Button>
        <Button onClick={() => blocker.reset?.()} variant="contained" autoFocus>
          Stay on the form
        </Button>
      </DialogActions>
    </Dialog>
  );
};
