import { Alert, Stack } from '@mui/material';
import { FilterButton, List, SelectInput, TextInput, TopToolbar, usePermissions } from 'react-admin';
import { auditActions, auditEntityTypes } from '../../shared/audit.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { DayFilterInput } from '../credits/DayFilterInput.tsx';
import { ExportCsvButton } from '../dashboard/ExportCsvButton.tsx';
import { auditActionLabels, auditEntityTypeLabels } from './auditModel.ts';
import { AuditTable } from './AuditTable.tsx';
import { ChainStatusIndicator } from './ChainStatusIndicator.tsx';
import { ListPagination } from '../lists/ListPagination.tsx';

const filters = [
  <SelectInput
    key="action"
    source="action"
    label="Action"
    alwaysOn
    choices={auditActions.map(id => ({ id, name: `${auditActionLabels[id]} (${id})` }))}
  />,
  <SelectInput key="entity_type" source="entity_type" label="Entity type" choices={auditEntityTypes.map(id => ({ id, name: auditEntityTypeLabels[id] }))} />,
  <TextInput key="entity_id" source="entity_id" label="Entity id" />,
  <TextInput key="actor_id" source="actor_id" label="Actor (staff id, system or ingest)" />,
  <TextInput key="customer_id" source="customer_id" label="Customer id" />,
  <DayFilterInput key="at_gte" source="at_gte" label="From" edge="gte" />,
  <DayFilterInput key="at_lte" source="at_lte" label="To" edge="lte" />,
];

const AuditActions = () => (
  <TopToolbar>
    <FilterButton />
    <ExportCsvButton resource="audit" />
  </TopToolbar>
);

/** The audit log for leads and admins: every change, filterable, each with its before and after values. */
export const AuditList = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  if (isPending) return null;
  if (!role || !isLeadOrAdmin(role)) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        The audit log is for leads and admins. A credit’s own audit trail is on the credit’s page.
      </Alert>
    );
  }
  return (
    <Stack spacing={1} sx={{ mt: 1 }}>
      <ChainStatusIndicator />
      <List
        filters={filters}
        actions={<AuditActions />}
        sort={{ field: 'at', order: 'DESC' }}
        perPage={50}
        exporter={false}
        empty={false}
        pagination={<ListPagination />}
      >
        <AuditTable empty={{ title: 'No audit event matches these filters.', hint: 'Clear a filter, or widen the dates.' }} />
      </List>
    </Stack>
  );
};
