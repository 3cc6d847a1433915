import { Chip, Typography } from '@mui/material';
import { AppBar, TitlePortal, usePermissions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';

/** The signed-in user's role beside their name (react-admin's user menu shows the name). */
const RoleBadge = () => {
  const { permissions: role } = usePermissions<Role>();
  if (!role) return null;
  return <Chip label={role} size="small" variant="outlined" sx={{ color: 'inherit', borderColor: 'currentColor' }} />;
};

export const DeskAppBar = () => (
  <AppBar>
    <Typography variant="h6" component="span" sx={{ fontWeight: 500, mr: 2, whiteSpace: 'nowrap' }}>
      Token Desk
    </Typography>
    <TitlePortal />
    <RoleBadge />
  </AppBar>
);
