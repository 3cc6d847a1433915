import { DataTable, Link, List, SearchInput, TextInput } from 'react-admin';
import { EmptyState } from '../display/EmptyState.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import type { CustomerRecord } from '../../shared/records.ts';

const filters = [
  <SearchInput
    key="q"
    source="q"
    alwaysOn
    placeholder="Name, e-mail or id"
    inputProps={{ 'aria-label': 'Search customers by name, e-mail or id' }}
  />,
  <TextInput key="plan" source="plan" label="Plan" />,
];

/** Customers, searched by name, e-mail or id prefix. */
export const CustomerList = () => (
  <List filters={filters} sort={{ field: 'name', order: 'ASC' }} perPage={25} exporter={false} empty={false}>
    <DataTable<CustomerRecord>
      bulkActionButtons={false}
      rowClick={false}
      empty={<EmptyState title="No customer matches." hint="Search by name, e-mail or the start of a customer id, or clear the filters." />}
    >
      <DataTable.Col<CustomerRecord> source="name" label="Name" render={customer => <Link to={showPath('customers', customer.id)}>{customer.name}</Link>} />
      <DataTable.Col<CustomerRecord> source="email" label="E-mail" disableSort />
      <DataTable.Col<CustomerRecord> source="plan" label="Plan" disableSort />
      <DataTable.Col<CustomerRecord>
        source="balance"
        label="Balance"
        align="right"
        disableSort
        cellSx={customer => (customer.balance < 0 ? { color: 'error.main' } : {})}
        render={customer => <TokenAmount value={customer.balance} />}
      />
      <DataTable.Col<CustomerRecord> source="time_zone" label="Time zone" disableSort render={customer => customer.time_zone ?? 'Unknown'} />
      <DataTable.Col<CustomerRecord> source="id" label="Customer id" disableSort />
    </DataTable>
  </List>
);
