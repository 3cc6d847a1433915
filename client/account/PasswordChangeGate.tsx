import type { ReactNode } from 'react';
import { Navigate } from 'react-router-dom';
import { passwordChangeRequired } from '../authProvider.ts';
import { changePasswordPath } from './accountModel.ts';

/**
 * Keeps a person with a temporary password on the change-password page: the console around
 * `children` (menu counts, lists) would only collect 403s from a server that refuses everything else.
 * It renders inside the layout route, which react-admin shows only after `checkAuth` loaded the session.
 */
export const PasswordChangeGate = ({ children }: { children: ReactNode }) =>
  passwordChangeRequired() ? <Navigate to={changePasswordPath} replace /> : <>{children}</>;
