import { HttpError } from 'react-admin';
import { MIN_PASSWORD_LENGTH, type PasswordChange } from '../../shared/staff.ts';

/** The change-password page, outside the console's layout so nothing else loads while a password must change. */
export const changePasswordPath = '/account/password';

export interface PasswordFormValues {
  current_password: string;
  new_password: string;
  repeat_password: string;
}

export type PasswordFormErrors = Partial<Record<keyof PasswordFormValues, string>>;

export const emptyPasswordForm: PasswordFormValues = { current_password: '', new_password: '', repeat_password: '' };

/** The checks the server makes too (shared/staff.ts), said before the round trip, plus the repeat. */
export const validatePasswordForm = (values: PasswordFormValues): PasswordFormErrors => {
  const errors: PasswordFormErrors = {};
  if (!values.current_password) errors.current_password = 'Enter your current password';
  if (values.new_password.length < MIN_PASSWORD_LENGTH) {
    errors.new_password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  } else if (values.new_password === values.current_password) {
    errors.new_password = 'Choose a password other than your current one';
  }
  if (!errors.new_password && values.repeat_password !== values.new_password) {
    errors.repeat_password = 'The two new passwords differ: type the same one twice';
  }
  return errors;
};

export const passwordChangeRequest = (values: PasswordFormValues): PasswordChange => ({
  current_password: values.current_password,
  new_password: values.new_password,
});

const sentenceCase = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

/**
 * What a refused password change means for the form: the server's field errors on the fields
 * they name (`current_password`, `new_password`), anything else as one message.
 */
export const readPasswordFailure = (error: unknown): { fieldErrors: PasswordFormErrors; message: string | null } => {
  if (!(error instanceof HttpError)) {
    return { fieldErrors: {}, message: 'Token Desk did not answer: your password was not changed. Try again.' };
  }
  const body = (typeof error.body === 'object' && error.body !== null ? error.body : {}) as { message?: unknown; errors?: unknown };
  const fieldErrors: PasswordFormErrors = {};
  const others: string[] = [];
  if (error.status === 400 && typeof body.errors === 'object' && body.errors !== null) {
    for (const [field, message] of Object.entries(body.errors as Record<string, string>)) {
      if (field === 'current_password' || field === 'new_password') fieldErrors[field] = sentenceCase(message);
      else others.push(`${field}: ${message}`);
    }
    return { fieldErrors, message: others.length > 0 ? others.join(' ') : null };
  }
  const message = typeof body.message === 'string' && body.message ? body.message : error.message;
  return { fieldErrors, message: message || `The server refused the change (HTTP ${error.status}).` };
};
