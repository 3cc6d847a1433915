import { lazy, Suspense } from 'react';

const ChangePasswordPage = lazy(() => import('./ChangePasswordPage.tsx').then(module => ({ default: module.ChangePasswordPage })));

/** The change-password page as a route without the layout, where react-admin offers no Suspense of its own. */
export const ChangePasswordRoute = () => (
  <Suspense fallback={null}>
    <ChangePasswordPage />
  </Suspense>
);
