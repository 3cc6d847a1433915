import { List, SelectInput, TextInput } from 'react-admin';
import { ListPagination } from '../lists/ListPagination.tsx';
import { InstantFilterInput } from '../display/InstantFilterInput.tsx';
import { generationStatuses, refundStates } from '../../shared/refundState.ts';
import { generationStatusLabel, refundStatePresentation } from './generationModel.ts';
import { RunsTable } from './RunsTable.tsx';

const filters = [
  <SelectInput
    key="refund_state"
    source="refund_state"
    label="Refund state"
    alwaysOn
    choices={refundStates.map(state => ({ id: state, name: refundStatePresentation(state).label }))}
  />,
  <InstantFilterInput key="started_at_gte" source="started_at_gte" label="Started from" alwaysOn />,
  <InstantFilterInput key="started_at_lte" source="started_at_lte" label="Started until" end alwaysOn />,
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={generationStatuses.map(status => ({ id: status, name: generationStatusLabel(status) }))}
  />,
  <TextInput key="tool" source="tool" label="Tool" />,
  <TextInput key="customer_id" source="customer_id" label="Customer id" />,
  <TextInput key="chat_id" source="chat_id" label="Chat ID" />,
];

/** Every run, newest first; filter by refund state to find, say, the missing refunds, or by when they started (the agent's clock). */
export const GenerationList = () => (
  <List
    filters={filters}
    sort={{ field: 'started_at', order: 'DESC' }}
    perPage={25}
    exporter={false}
    empty={false}
    pagination={<ListPagination />}
  >
    <RunsTable showChat showCustomer empty={{ title: 'No run matches these filters.', hint: 'Clear a filter, or look a chat up to see its runs.' }} />
  </List>
);
