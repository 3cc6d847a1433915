import { Alert, Box, Button, Card, CardContent, CircularProgress, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { Form, Link, PasswordInput, useAuthState, useDataProvider, useLogout, useNavigate, useNotify } from 'react-admin';
import { useFormState } from 'react-hook-form';
import { MIN_PASSWORD_LENGTH } from '../../shared/staff.ts';
import { notePasswordChosen, passwordChangeRequired } from '../authProvider.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import {
  emptyPasswordForm,
  passwordChangeRequest,
  readPasswordFailure,
  validatePasswordForm,
  type PasswordFormValues,
} from './accountModel.ts';

const SubmitButton = () => {
  const { isSubmitting } = useFormState();
  return (
    <Button type="submit" variant="contained" disabled={isSubmitting}>
      {isSubmitting ? 'Changing…' : 'Change password'}
    </Button>
  );
};

const PasswordForm = ({ forced }: { forced: boolean }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const navigate = useNavigate();
  const notify = useNotify();
  const logout = useLogout();
  const [failure, setFailure] = useState<string | null>(null);

  // Answers the server's field errors, which react-admin places on the fields they name.
  const submit = async (values: Partial<PasswordFormValues>) => {
    setFailure(null);
    try {
      await dataProvider.changePassword(passwordChangeRequest({ ...emptyPasswordForm, ...values }));
    } catch (error) {
      const { fieldErrors, message } = readPasswordFailure(error);
      setFailure(message);
      return fieldErrors;
    }
    notePasswordChosen();
    notify('Your password is changed. Any other session of yours was signed out.', { type: 'success' });
    navigate('/');
    return undefined;
  };

  return (
    <Form
      defaultValues={emptyPasswordForm}
      validate={values => validatePasswordForm({ ...emptyPasswordForm, ...values })}
      onSubmit={submit}
      noValidate
    >
      <Stack spacing={1}>
        <PasswordInput
          source="current_password"
          label={forced ? 'Temporary password' : 'Current password'}
          autoComplete="current-password"
          autoFocus
          fullWidth
        />
        <PasswordInput
          source="new_password"
          label="New password"
          autoComplete="new-password"
          helperText={`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good one.`}
          fullWidth
        />
        <PasswordInput source="repeat_password" label="Repeat the new password" autoComplete="new-password" fullWidth />
        {failure && (
          <Alert severity="error" role="alert">
            {failure}
          </Alert>
        )}
        <Box sx={{ display: 'flex', gap: 1, justifyContent: 'space-between', pt: 1 }}>
          {forced ? (
            <Button onClick={() => logout()}>Sign out</Button>
          ) : (
            <Button component={Link} to="/">
              Back to the console
            </Button>
          )}
          <SubmitButton />
        </Box>
      </Stack>
    </Form>
  );
};

/**
 * `/#/account/password`: the signed-in person changes their own password. A new or reset account
 * lands here after sign-in and stays until it has chosen its own (the server allows nothing else).
 */
export const ChangePasswordPage = () => {
  // Without a live session react-admin signs out and shows the sign-in page.
  const { isPending, authenticated } = useAuthState(undefined, true);
  const forced = !isPending && authenticated === true && passwordChangeRequired();
  return (
    <Box
      component="main"
      sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', p: 2, bgcolor: 'background.default' }}
    >
      <Card sx={{ width: '100%', maxWidth: 440 }}>
        <CardContent sx={{ p: 4 }}>
          {isPending || !authenticated ? (
            <Box sx={{ display: 'flex', justifyContent: 'center', py: 4 }}>
              <CircularProgress aria-label="Checking your session" />
            </Box>
          ) : (
            <>
              <Typography variant="h5" component="h1" gutterBottom>
                {forced ? 'Choose your password' : 'Change your password'}
              </Typography>
              <Typography color="text.secondary" sx={{ mb: 2 }}>
                {forced
                  ? 'Your account has a temporary password. Choose your own, known only to you, to start using Token Desk.'
                  : 'When it changes, any other session of yours is signed out.'}
              </Typography>
              <PasswordForm forced={forced} />
            </>
          )}
        </CardContent>
      </Card>
    </Box>
  );
};
