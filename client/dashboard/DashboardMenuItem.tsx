import Insights from '@mui/icons-material/Insights';
import { Menu, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';

/** The lead dashboard's route (reports, anomalies); the home page stays the agent's lookup start. */
export const dashboardPath = '/dashboard';

/** "Dashboard" in the menu, for leads and admins. */
export const DashboardMenuItem = () => {
  const { permissions: role } = usePermissions<Role>();
  if (!role || !isLeadOrAdmin(role)) return null;
  return <Menu.Item to={dashboardPath} primaryText="Dashboard" leftIcon={<Insights />} />;
};
