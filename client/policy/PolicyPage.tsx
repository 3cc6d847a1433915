import { Alert, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Skeleton, Stack, Typography } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { BooleanInput, Form, HttpError, NumberInput, Title, useDataProvider, useNotify, usePermissions } from 'react-admin';
import { useFormContext } from 'react-hook-form';
import type { Policy } from '../../shared/credits.ts';
import type { Role } from '../../shared/roles.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { Fact, FactList } from '../display/Fact.tsx';
import { formatPolicyValue, policyChanges, policyFromForm, policySettings, validatePolicy } from './policyModel.ts';

const policyQueryKey = ['policy'];

const serverMessage = (error: unknown): string => {
  if (error instanceof HttpError) {
    const body = error.body as { message?: unknown } | undefined;
    return typeof body?.message === 'string' && body.message ? body.message : error.message;
  }
  return 'Token Desk did not answer: the policy was not saved. Try again.';
};

/** The confirmation of a policy change, and the save itself (pessimistic: the page shows only what the server kept). */
const SavePolicyDialog = ({ current, next, onClose }: { current: Policy; next: Policy | null; onClose: () => void }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const { setError } = useFormContext();
  const [failure, setFailure] = useState<string | null>(null);
  const { mutate, isPending } = useMutation({
    mutationFn: (policy: Policy) => dataProvider.updatePolicy(policy),
    onSuccess: saved => {
      queryClient.setQueryData(policyQueryKey, saved);
      notify('Credit policy saved: it applies to credits requested from now on.', { type: 'success' });
      onClose();
    },
    onError: error => {
      const errors = error instanceof HttpError && error.status === 400 ? (error.body as { errors?: Record<string, string> })?.errors : undefined;
      if (errors) {
        for (const [field, message] of Object.entries(errors)) setError(field, { type: 'server', message });
        onClose();
        return;
      }
      setFailure(serverMessage(error));
    },
  });
  const changes = next ? policyChanges(current, next) : [];
  const close = () => {
    setFailure(null);
    onClose();
  };
  return (
    <Dialog open={next !== null} onClose={isPending ? undefined : close} aria-labelledby="save-policy-title" fullWidth maxWidth="sm">
      <DialogTitle id="save-policy-title">Change the credit policy?</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">
          {changes.length === 0 ? (
            'Nothing changed.'
          ) : (
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
              {changes.map(({ setting, before, after }) => (
                <li key={setting.key}>
                  {setting.label}: {before} → <strong>{after}</strong>
                </li>
              ))}
            </Box>
          )}
        </DialogContentText>
        <DialogContentText sx={{ mt: 2 }}>It applies to every credit requested from now on, and the change is audited.</DialogContentText>
        {failure && (
          <DialogContentText color="error" role="alert" sx={{ mt: 1 }}>
            {failure}
          </DialogContentText>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={isPending}>
          Cancel
        </Button>
        <Button variant="contained" disabled={isPending || changes.length === 0} onClick={() => next && mutate(next)} autoFocus>
          {isPending ? 'Saving…' : 'Save the policy'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};

const PolicyForm = ({ policy }: { policy: Policy }) => {
  const [review, setReview] = useState<Policy | null>(null);
  return (
    <Form defaultValues={policy} validate={validatePolicy} onSubmit={(values: Record<string, unknown>) => setReview(policyFromForm(values))} noValidate>
      <Stack spacing={1} sx={{ maxWidth: 640 }}>
        {policySettings.map(setting =>
          setting.unit === null ? (
            <BooleanInput key={setting.key} source={setting.key} label={setting.label} helperText={setting.help} />
          ) : (
            <NumberInput
              key={setting.key}
              source={setting.key}
              label={`${setting.label} (${setting.unit})`}
              helperText={setting.help}
              min={0}
              max={setting.max}
              step={1}
            />
          ),
        )}
        <Box>
          <Button type="submit" variant="contained">
            Review changes…
          </Button>
        </Box>
      </Stack>
      <SavePolicyDialog current={policy} next={review} onClose={() => setReview(null)} />
    </Form>
  );
};

const PolicyFacts = ({ policy }: { policy: Policy }) => (
  <FactList minWidth={260}>
    {policySettings.map(setting => (
      <Fact key={setting.key} term={setting.label}>
        {formatPolicyValue(setting, policy[setting.key])}
        <Typography variant="body2" color="text.secondary" component="span" sx={{ display: 'block' }}>
          {setting.help}
        </Typography>
      </Fact>
    ))}
  </FactList>
);

/** The credit policy (docs/domain.md): admins change it, with a confirmation; everyone else reads it. */
export const PolicyPage = () => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const { permissions: role } = usePermissions<Role>();
  const { data: policy, error, refetch } = useQuery({ queryKey: policyQueryKey, queryFn: () => dataProvider.getPolicy(), retry: false });
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Credit policy" />
      <CardContent>
        <Typography variant="h5" component="h2" gutterBottom>
          Credit policy
        </Typography>
        {error ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => refetch()}>
                Retry
              </Button>
            }
          >
            Could not load the credit policy: {serverMessage(error)}
          </Alert>
        ) : !policy ? (
          <Skeleton variant="rounded" height={240} aria-label="Loading the credit policy" />
        ) : role === 'admin' ? (
          <PolicyForm policy={policy} />
        ) : (
          <>
            <Typography color="text.secondary" sx={{ mb: 2 }}>
              Only admins change the policy.
            </Typography>
            <PolicyFacts policy={policy} />
          </>
        )}
      </CardContent>
    </Card>
  );
};
