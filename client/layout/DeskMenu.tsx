import { Menu, usePermissions, useResourceDefinitions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';
import { ApprovalsMenuItem } from '../credits/ApprovalsMenuItem.tsx';
import { PolicyMenuItem } from '../policy/PolicyMenuItem.tsx';

/**
 * The side menu: every resource with a list, except those whose `options.roles` leave out the
 * signed-in role, then the leads' approval queue and the admins' policy page.
 */
export const DeskMenu = () => {
  const resources = useResourceDefinitions();
  const { permissions: role } = usePermissions<Role>();
  return (
    <Menu>
      <Menu.DashboardItem />
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
      <PolicyMenuItem />
    </Menu>
  );
};
