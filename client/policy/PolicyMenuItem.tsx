import Tune from '@mui/icons-material/Tune';
import { Menu, usePermissions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';

export const policyPath = '/policy';

/** "Policy" in the menu, for admins (others can still read it at its address). */
export const PolicyMenuItem = () => {
  const { permissions: role } = usePermissions<Role>();
  if (role !== 'admin') return null;
  return <Menu.Item to={policyPath} primaryText="Policy" leftIcon={<Tune />} />;
};
