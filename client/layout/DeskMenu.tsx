import { Menu, usePermissions, useResourceDefinitions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';
import { ApprovalsMenuItem } from '../credits/ApprovalsMenuItem.tsx';
import { DashboardMenuItem } from '../dashboard/DashboardMenuItem.tsx';
import { MissingRefundsMenuItem } from '../missingRefunds/MissingRefundsMenuItem.tsx';
import { PolicyMenuItem } from '../policy/PolicyMenuItem.tsx';

/**
 * The side menu: every resource with a list, except those whose `options.roles` leave out the
 * signed-in role, then the leads' approval queue and the admins' policy page. "Home" is the
 * lookup start page; "Dashboard" is the leads' reports.
 */
export const DeskMenu = () => {
  const resources = useResourceDefinitions();
  const { permissions: role } = usePermissions<Role>();
  return (
    <Menu>
      <Menu.DashboardItem primaryText="Home" />
      <DashboardMenuItem />
      {Object.values(resources)
        .filter(resource => resource.hasList)
        .filter(resource => {
          const roles = (resource.options as { roles?: Role[] } | undefined)?.roles;
          return !roles || (role != null && roles.includes(role));
        })
        .map(resource => (
          <Menu.ResourceItem key={resource.name} name={resource.name} />
        ))}
      <ApprovalsMenuItem />
      <MissingRefundsMenuItem />
      <PolicyMenuItem />
    </Menu>
  );
};
