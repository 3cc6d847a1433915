import { Card, CardContent, Typography } from '@mui/material';
import { Title, useGetIdentity, usePermissions } from 'react-admin';
import type { Role } from '../shared/roles.ts';

/** The home screen: who is signed in, and where a case starts. */
export const Dashboard = () => {
  const { identity } = useGetIdentity();
  const { permissions: role } = usePermissions<Role>();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      <CardContent>
        <Typography variant="h5" component="h2" gutterBottom>
          Welcome to Token Desk
        </Typography>
        {identity && role && (
          <Typography>
            Signed in as {identity.fullName} ({role})
          </Typography>
        )}
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          Start from the ticket: paste the chat ID or chat URL, the customer’s e-mail, or a run or transaction id into the
          lookup box at the top (press <kbd>/</kbd> to jump there) and press Enter.
        </Typography>
      </CardContent>
    </Card>
  );
};
