import { Alert, Box, Button, Card, CardContent, Divider, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { HttpError, useCheckAuth, useLocation, useLogin, useNavigate } from 'react-admin';
import { z } from 'zod';
import { loginRequestSchema, type LoginRequest } from '../shared/auth.ts';
import { apiErrorSchema } from '../shared/errors.ts';
import { isSsoErrorCode, signInMethodsSchema, SSO_START_PATH, ssoErrorMessages, type SignInMethods } from '../shared/singleSignOn.ts';
import { fetchApi } from './fetchApi.ts';

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

/** Until the server says otherwise (or if it cannot be asked), the password form is the way in. */
const passwordOnly: SignInMethods = { password: true, sso: false };

/** Which ways in the server offers (`GET /api/auth/methods`). */
const useSignInMethods = (): SignInMethods => {
  const [methods, setMethods] = useState<SignInMethods>(passwordOnly);
  useEffect(() => {
    let mounted = true;
    fetchApi('/api/auth/methods')
      .then(({ json }) => {
        const parsed = signInMethodsSchema.safeParse(json);
        if (mounted && parsed.success && (parsed.data.password !== passwordOnly.password || parsed.data.sso !== passwordOnly.sso)) {
          setMethods(parsed.data);
        }
      })
      .catch(() => {
        // Keep the password form: if password sign-in is off after all, the server's answer to it says so.
      });
    return () => {
      mounted = false;
    };
  }, []);
  return methods;
};

/**
 * Why single sign-on sent the browser back here (`?sso_error=<code>`), in words
 * kept in the client: the URL names a reason, never the text shown.
 */
const useSsoFailure = (): string | null => {
  const code = new URLSearchParams(useLocation().search).get('sso_error');
  if (code === null) return null;
  return isSsoErrorCode(code) ? ssoErrorMessages[code] : ssoErrorMessages.failed;
};

export const LoginPage = () => {
  const login = useLogin();
  const [values, setValues] = useState<LoginRequest>({ email: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<LoginFieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const methods = useSignInMethods();
  const ssoFailure = useSsoFailure();
  const shownFailure = failure ?? ssoFailure;
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
        <CardContent sx={{ p: 4 }}>
          <Stack spacing={2}>
            <div>
              <Typography id="login-title" variant="h5" component="h1">
                Token Desk
              </Typography>
              <Typography variant="body2" color="text.secondary">
                Sign in with your staff account.
              </Typography>
            </div>
            {shownFailure && <Alert severity="error">{shownFailure}</Alert>}
            {methods.password && (
              // method="post" so that, whatever happens to the script, a password never lands in a URL.
              <Box component="form" method="post" noValidate onSubmit={submit} aria-labelledby="login-title">
                <Stack spacing={2}>
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
              </Box>
            )}
            {methods.password && methods.sso && <Divider>or</Divider>}
            {methods.sso && (
              // A plain link, not a form: the server redirects it to the identity provider, which `form-action 'self'` would block for a form.
              <Button href={SSO_START_PATH} variant={methods.password ? 'outlined' : 'contained'} size="large">
                Sign in with single sign-on
              </Button>
            )}
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
};
