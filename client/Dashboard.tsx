import { Card, CardContent, Typography } from '@mui/material';
import { Title, useGetIdentity, usePermissions } from 'react-admin';
import type { Role } from '../shared/roles.ts';

/** The home screen of the shell: who is signed in, and an honest word on what comes next. */
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
          Looking up a chat, customer, generation or transaction arrives soon.
        </Typography>
      </CardContent>
    </Card>
  );
};
