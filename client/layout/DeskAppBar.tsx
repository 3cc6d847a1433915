import { Chip, Typography } from '@mui/material';
import { AppBar, Logout, TitlePortal, UserMenu, useGetIdentity, usePermissions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';
import { ChangePasswordMenuItem } from '../account/ChangePasswordMenuItem.tsx';
import { LookupBox } from '../lookup/LookupBox.tsx';

/** The signed-in user's role beside their name (react-admin's user menu shows the name). */
const RoleBadge = () => {
  const { permissions: role } = usePermissions<Role>();
  if (!role) return null;
  return <Chip label={role} size="small" variant="outlined" sx={{ color: 'inherit', borderColor: 'currentColor' }} />;
};

/** The user menu, named after the name it shows (react-admin's default name, "Profile", hides it from screen readers). */
const DeskUserMenu = () => {
  const { identity } = useGetIdentity();
  return (
    <UserMenu label={identity?.fullName ? `${identity.fullName}: account menu` : 'Account menu'}>
      <ChangePasswordMenuItem />
      <Logout />
    </UserMenu>
  );
};

/** The app bar: the page title, the lookup box (always at hand, "/" focuses it), the user's role. */
export const DeskAppBar = () => (
  <AppBar
    userMenu={<DeskUserMenu />}
  >
    <Typography variant="h6" component="span" sx={{ fontWeight: 500, mr: 2, whiteSpace: 'nowrap' }}>
      Token Desk
    </Typography>
    <TitlePortal />
    <LookupBox />
    <RoleBadge />
  </AppBar>
);
