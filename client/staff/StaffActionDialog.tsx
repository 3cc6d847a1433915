import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useId, useState, type ReactNode } from 'react';
import { readStaffFailure, type StaffFailure } from './staffModel.ts';
import { StaffFailureAlert } from './StaffFailureAlert.tsx';

/**
 * The explicit confirmation of one staff action, and the action itself (pessimistic: the dialog
 * stays until the server answered). `run` may answer something to show afterwards, such as a
 * temporary password; otherwise the dialog closes.
 */
export const StaffActionDialog = ({
  open,
  title,
  children,
  confirmLabel,
  destructive = false,
  run,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  run: () => Promise<ReactNode | void>;
  onClose: () => void;
}) => {
  const titleId = useId();
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<StaffFailure | null>(null);
  const [result, setResult] = useState<ReactNode | null>(null);
  const close = () => {
    setFailure(null);
    setResult(null);
    onClose();
  };
  const confirm = async () => {
    setPending(true);
    setFailure(null);
    try {
      const shown = await run();
      if (shown) setResult(shown);
      else close();
    } catch (error) {
      setFailure(readStaffFailure(error));
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open={open} onClose={pending || result ? undefined : close} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        {result ?? <DialogContentText component="div">{children}</DialogContentText>}
        <StaffFailureAlert failure={failure} />
      </DialogContent>
      <DialogActions>
        {result ? (
          <Button variant="contained" onClick={close} autoFocus>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close} disabled={pending} autoFocus={destructive}>
              Cancel
            </Button>
            <Button variant="contained" color={destructive ? 'error' : 'primary'} onClick={confirm} disabled={pending} autoFocus={!destructive}>
              {pending ? 'Working…' : confirmLabel}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
};
