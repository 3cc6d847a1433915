import { List, Pagination, SelectInput, TextInput } from 'react-admin';
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
  <TextInput key="customer_id" source="customer_id" label="Customer id" />,
  <TextInput key="chat_id" source="chat_id" label="Chat ID" />,
  <TextInput key="generation_id" source="generation_id" label="Run id" />,
  <TextInput key="tool" source="tool" label="Tool" />,
];

/** The whole ledger, newest first. A customer's own history is on their page. */
export const TransactionList = () => (
  <List
    filters={filters}
    sort={{ field: 'created_at', order: 'DESC' }}
    perPage={25}
    exporter={false}
    empty={false}
    pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
  >
    <LedgerTable showChat showCustomer empty={{ title: 'No ledger entry matches these filters.', hint: 'Clear a filter, or open a customer to see their usage history.' }} />
  </List>
);
