import Download from '@mui/icons-material/Download';
import { Button } from '@mui/material';
import { useListContext, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { exportCsvUrl, type ExportableResource } from './exportModel.ts';

/**
 * "Export CSV" in a list's toolbar, for leads and admins: downloads exactly the filtered, sorted
 * list on screen, every row of it. A plain same-origin link: the session cookie goes along, and
 * the server streams the file however long it is.
 */
export const ExportCsvButton = ({ resource }: { resource: ExportableResource }) => {
  const { permissions: role } = usePermissions<Role>();
  const { filterValues, filter, sort } = useListContext();
  if (!role || !isLeadOrAdmin(role)) return null;
  return (
    <Button component="a" href={exportCsvUrl(resource, { ...filterValues, ...filter }, sort)} download size="small" startIcon={<Download />}>
      Export CSV
    </Button>
  );
};
