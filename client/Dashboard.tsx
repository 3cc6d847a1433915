import { Card, CardContent, Skeleton, Stack, Typography } from '@mui/material';
import { lazy, Suspense } from 'react';
import { Title, useGetIdentity, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../shared/roles.ts';

// The home's lists load after the welcome and the lookup box: they bring the credit tables and
// chips, which the first screen after sign-in must not wait for (the initial-JS budget).
const TeamOverview = lazy(() => import('./home/TeamOverview.tsx').then(module => ({ default: module.TeamOverview })));
const YourCredits = lazy(() => import('./home/YourCredits.tsx').then(module => ({ default: module.YourCredits })));

/**
 * The home screen: where a case starts, then the signed-in person's own credits (decided since
 * their last look, waiting, the latest with their delivery). A lead or admin first sees what waits
 * for a lead: approvals, missing refunds, failing deliveries, and today's credits against
 * yesterday's. The figures refresh by themselves while the page is open.
 */
export const Dashboard = () => {
  const { identity } = useGetIdentity();
  const { permissions: role } = usePermissions<Role>();
  return (
    <Stack spacing={2} sx={{ mt: 2, mb: 4 }}>
      <Title title="Home" />
      <Card>
        <CardContent>
          <Typography variant="h5" component="h2" gutterBottom>
            {identity?.fullName ? `Welcome, ${identity.fullName}` : 'Welcome to Token Desk'}
          </Typography>
          <Typography color="text.secondary">
            Start from the ticket: paste the chat ID or chat URL, the customer’s e-mail, or a run or transaction id into the
            lookup box at the top (press <kbd>/</kbd> to jump there) and press Enter.
          </Typography>
        </CardContent>
      </Card>
      <Suspense fallback={<Skeleton variant="rounded" height={160} aria-label="Loading your credits" />}>
        {role && isLeadOrAdmin(role) && <TeamOverview />}
        {identity && <YourCredits staffId={String(identity.id)} />}
      </Suspense>
    </Stack>
  );
};
