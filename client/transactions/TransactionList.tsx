import { List, SelectInput, TextInput } from 'react-admin';
import { ListPagination } from '../lists/ListPagination.tsx';
import { InstantFilterInput } from '../display/InstantFilterInput.tsx';
import { LedgerTable } from './LedgerTable.tsx';
import { transactionKindLabels } from './transactionModel.ts';

const filters = [
  <SelectInput
    key="kind"
    source="kind"
    label="Kind"
    alwaysOn
    choices={Object.entries(transactionKindLabels).map(([id, name]) => ({ id, name }))}
  />,
  <InstantFilterInput key="created_at_gte" source="created_at_gte" label="From" alwaysOn />,
  <InstantFilterInput key="created_at_lte" source="created_at_lte" label="To" end alwaysOn />,
  <TextInput key="customer_id" source="customer_id" label="Customer id" />,
  <TextInput key="chat_id" source="chat_id" label="Chat ID" />,
  <TextInput key="generation_id" source="generation_id" label="Run id" />,
  <TextInput key="tool" source="tool" label="Tool" />,
];

/** The whole ledger, newest first, narrowed by kind, dates (the agent's clock) and links. A customer's own history is on their page. */
export const TransactionList = () => (
  <List
    filters={filters}
    sort={{ field: 'created_at', order: 'DESC' }}
    perPage={25}
    exporter={false}
    empty={false}
    pagination={<ListPagination />}
  >
    <LedgerTable showChat showCustomer empty={{ title: 'No ledger entry matches these filters.', hint: 'Clear a filter, or open a customer to see their usage history.' }} />
  </List>
);
