import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { HttpError, useCheckAuth, useLogin, useNavigate } from 'react-admin';
import { z } from 'zod';
import { loginRequestSchema, type LoginRequest } from '../shared/auth.ts';
import { apiErrorSchema } from '../shared/errors.ts';

type LoginFieldErrors = Partial<Record<keyof LoginRequest, string>>;

const firstMessages = (messages: Partial<Record<string, string[]>>): LoginFieldErrors => ({
  email: messages.email?.[0],
  password: messages.password?.[0],
});

/** The server's words when it answered, a plain hint when it could not be reached. */
const describeFailure = (error: unknown): { message: string; fieldErrors: LoginFieldErrors } => {
  if (!(error instanceof HttpError)) {
    return { message: 'Could not reach Token Desk. Check your connection and try again.', fieldErrors: {} };
  }
  const apiError = apiErrorSchema.safeParse(error.body);
  const errors = apiError.success ? (apiError.data.errors ?? {}) : {};
  return { message: error.message, fieldErrors: { email: errors.email, password: errors.password } };
};

/** Sends a visitor who still has a live session straight to the console, as react-admin's own login page does. */
const useRedirectIfSignedIn = () => {
  const checkAuth = useCheckAuth();
  const navigate = useNavigate();
  useEffect(() => {
    checkAuth({}, false)
      .then(() => navigate('/'))
      .catch(() => {
        // No live session: this page is where the visitor belongs.
      });
  }, [checkAuth, navigate]);
};

export const LoginPage = () => {
  const login = useLogin();
  const [values, setValues] = useState<LoginRequest>({ email: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<LoginFieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  useRedirectIfSignedIn();

  const change = (field: keyof LoginRequest) => (event: { target: { value: string } }) => {
    setValues(current => ({ ...current, [field]: event.target.value }));
    setFieldErrors(current => ({ ...current, [field]: undefined }));
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) return;
    const parsed = loginRequestSchema.safeParse(values);
    if (!parsed.success) {
      setFieldErrors(firstMessages(z.flattenError(parsed.error).fieldErrors));
      return;
    }
    setFieldErrors({});
    setFailure(null);
    setSubmitting(true);
    try {
      // On success useLogin navigates away, which unmounts this page.
      await login(parsed.data);
    } catch (error) {
      const { message, fieldErrors: serverFieldErrors } = describeFailure(error);
      setFailure(message);
      setFieldErrors(serverFieldErrors);
      setSubmitting(false);
    }
  };

  return (
    <Box
      component="main"
      sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', p: 2, bgcolor: 'background.default' }}
    >
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        {/* method="post" so that, whatever happens to the script, a password never lands in a URL. */}
        <CardContent component="form" method="post" noValidate onSubmit={submit} aria-labelledby="login-title" sx={{ p: 4 }}>
          <Stack spacing={2}>
            <div>
              <Typography id="login-title" variant="h5" component="h1">
                Token Desk
              </Typography>
              <Typography variant="body2" color="text.secondary">
                Sign in with your staff account.
              </Typography>
            </div>
            {failure && <Alert severity="error">{failure}</Alert>}
            <TextField
              label="Email"
              name="email"
              type="email"
              autoComplete="username"
              autoFocus
              required
              value={values.email}
              onChange={change('email')}
              error={Boolean(fieldErrors.email)}
              helperText={fieldErrors.email}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={values.password}
              onChange={change('password')}
              error={Boolean(fieldErrors.password)}
              helperText={fieldErrors.password}
            />
            <Button type="submit" variant="contained" size="large" disabled={submitting}>
              {submitting ? 'Signing in…' : 'Sign in'}
            </Button>
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
};
