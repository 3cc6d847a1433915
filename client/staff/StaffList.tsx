import { Alert } from '@mui/material';
import { CreateButton, DataTable, List, Pagination, SelectInput, TextInput, TopToolbar, usePermissions } from 'react-admin';
import type { Role } from '../../shared/roles.ts';
import type { StaffRecord } from '../../shared/staff.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { canManageStaff, canReadStaff, staffRoleChoices, staffRoleLabel } from './staffModel.ts';
import { StaffStatusChip } from './StaffStatusChip.tsx';

const filters = [
  <TextInput key="q" source="q" label="Name or e-mail" alwaysOn />,
  <SelectInput key="role" source="role" label="Role" choices={staffRoleChoices} alwaysOn />,
  <SelectInput
    key="disabled"
    source="disabled"
    label="Account"
    alwaysOn
    choices={[
      { id: 'false', name: 'Active' },
      { id: 'true', name: 'Disabled' },
    ]}
    // The API filters on a JSON boolean; a select holds strings.
    format={(value: boolean | undefined) => (value === undefined || value === null ? '' : String(value))}
    parse={(value: string) => (value === 'true' ? true : value === 'false' ? false : undefined)}
  />,
];

const StaffListActions = ({ canManage }: { canManage: boolean }) => (
  <TopToolbar>{canManage && <CreateButton label="Add staff member" />}</TopToolbar>
);

/** Staff accounts: leads read them, admins also add people and open an account to change it. */
export const StaffList = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  if (isPending) return null;
  if (!canReadStaff(role)) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        Staff accounts are for leads (to read) and admins (to manage). Ask an admin for access.
      </Alert>
    );
  }
  return (
    <List
      filters={filters}
      actions={<StaffListActions canManage={canManageStaff(role)} />}
      sort={{ field: 'name', order: 'ASC' }}
      perPage={50}
      exporter={false}
      empty={false}
      title="Staff"
      pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
    >
      <ListLoadError what="the staff accounts">
        <TableFrame>
          <DataTable<StaffRecord>
            rowClick="show"
            bulkActionButtons={false}
            empty={<EmptyState title="No staff account matches these filters." hint="Clear a filter to see everyone." />}
          >
            <DataTable.Col<StaffRecord> source="name" label="Name" />
            <DataTable.Col<StaffRecord> source="email" label="E-mail" />
            <DataTable.Col<StaffRecord> source="role" label="Role" render={staff => staffRoleLabel(staff.role)} />
            <DataTable.Col<StaffRecord> source="disabled" label="Account" disableSort render={staff => <StaffStatusChip staff={staff} />} />
            <DataTable.Col<StaffRecord> source="created_at" label="Created" render={staff => <DateTimeText value={staff.created_at} noWrap />} />
          </DataTable>
        </TableFrame>
      </ListLoadError>
    </List>
  );
};
