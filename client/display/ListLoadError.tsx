import { Alert, Button } from '@mui/material';
import type { ReactNode } from 'react';
import { useListContext } from 'react-admin';

/**
 * Shows why the surrounding list could not load, with a retry, instead of its children. Without
 * it a failed list looks empty ("no runs"), which an agent would take for a fact.
 */
export const ListLoadError = ({ what, children }: { what: string; children: ReactNode }) => {
  const { error, refetch } = useListContext();
  if (!error) return <>{children}</>;
  const message = error instanceof Error && error.message ? error.message : 'The server did not answer.';
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" size="small" onClick={() => refetch()}>
          Retry
        </Button>
      }
    >
      Could not load {what}: {message}
    </Alert>
  );
};
