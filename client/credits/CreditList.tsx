import Person from '@mui/icons-material/Person';
import { Button } from '@mui/material';
import { FilterButton, List, Pagination, ReferenceInput, SelectInput, TextInput, TopToolbar, useGetIdentity, useListContext, usePermissions } from 'react-admin';
import { creditReasons, creditStatuses } from '../../shared/credits.ts';
import { deliveryStateFilters } from '../../shared/delivery.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { ExportCsvButton } from '../dashboard/ExportCsvButton.tsx';
import { creditReasonLabel, creditStatusPresentation } from './creditModel.ts';
import { CreditsTable } from './CreditsTable.tsx';
import { DayFilterInput } from './DayFilterInput.tsx';
import { deliveryFilterLabel } from './deliveryModel.ts';

/**
 * Leads and admins pick the requester by name from the staff list; agents, who may not read the
 * staff list, have "My requests" and the staff id.
 */
const requesterFilter = (role: Role | undefined) =>
  role && isLeadOrAdmin(role) ? (
    <ReferenceInput key="requested_by" source="requested_by" reference="staff" sort={{ field: 'name', order: 'ASC' }} perPage={500}>
      <SelectInput label="Requested by" optionText="name" />
    </ReferenceInput>
  ) : (
    <TextInput key="requested_by" source="requested_by" label="Requested by (staff id)" />
  );

const creditFilters = (role: Role | undefined) => [
  <SelectInput
    key="status"
    source="status"
    label="Status"
    alwaysOn
    choices={creditStatuses.map(status => ({ id: status, name: creditStatusPresentation(status).label }))}
  />,
  <SelectInput key="reason" source="reason" label="Reason" choices={creditReasons.map(reason => ({ id: reason, name: creditReasonLabel(reason) }))} />,
  <SelectInput
    key="delivery_state"
    source="delivery_state"
    label="Delivery"
    choices={deliveryStateFilters.map(state => ({ id: state, name: deliveryFilterLabel(state) }))}
  />,
  <TextInput key="customer_id" source="customer_id" label="Customer id" />,
  requesterFilter(role),
  <TextInput key="ticket_ref" source="ticket_ref" label="Ticket reference" />,
  <DayFilterInput key="created_at_gte" source="created_at_gte" label="Requested from" edge="gte" />,
  <DayFilterInput key="created_at_lte" source="created_at_lte" label="Requested to" edge="lte" />,
];

/** Narrows the list to the signed-in user's own requests. */
const MyRequestsButton = () => {
  const { identity } = useGetIdentity();
  const { filterValues, setFilters, displayedFilters } = useListContext();
  if (!identity) return null;
  const mine = filterValues.requested_by === String(identity.id);
  return (
    <Button
      size="small"
      startIcon={<Person />}
      aria-pressed={mine}
      variant={mine ? 'contained' : 'text'}
      onClick={() => {
        const { requested_by: _drop, ...others } = filterValues;
        setFilters(mine ? others : { ...others, requested_by: String(identity.id) }, { ...displayedFilters, requested_by: !mine });
      }}
    >
      My requests
    </Button>
  );
};

const CreditListActions = () => (
  <TopToolbar>
    <MyRequestsButton />
    <FilterButton />
    <ExportCsvButton resource="credits" />
  </TopToolbar>
);

/** Every credit grant, newest first, filterable by status, delivery to the studio, agent, reason, customer, date and ticket. */
export const CreditList = () => {
  const { permissions: role } = usePermissions<Role>();
  return (
    <List
      filters={creditFilters(role)}
      actions={<CreditListActions />}
      sort={{ field: 'created_at', order: 'DESC' }}
      perPage={25}
      exporter={false}
      empty={false}
      pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
    >
      <CreditsTable empty={{ title: 'No credit matches these filters.', hint: 'Clear a filter, or widen the dates.' }} />
    </List>
  );
};
