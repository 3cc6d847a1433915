import { Stack } from '@mui/material';
import { useState } from 'react';
import { ListBase, Pagination, Show, TabbedShowLayout, useRecordContext } from 'react-admin';
import { ChatsTable } from '../chats/ChatsTable.tsx';
import { CustomerCredits } from '../credits/CustomerCredits.tsx';
import { CustomerTimes, TimesOnToggle, useDisplayTimeZone } from '../display/displayTimeZone.tsx';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { RunsTable } from '../generations/RunsTable.tsx';
import type { CustomerRecord } from '../../shared/records.ts';
import { LedgerTable } from '../transactions/LedgerTable.tsx';
import { emptyUsageFilter, usageHistoryFilter, type UsageFilterValues } from '../transactions/transactionModel.ts';
import { CustomerHeader } from './CustomerHeader.tsx';
import { UsageFilterForm } from './UsageFilterForm.tsx';

const pageSizes = [25, 50, 100];

/**
 * Every ledger entry of the customer, newest first — what the customer sees as "Usage history".
 * Its days are read on the clock the page shows times on (the agent's, or the customer's).
 */
const UsageHistory = ({ customer }: { customer: CustomerRecord }) => {
  const [values, setValues] = useState<UsageFilterValues>(emptyUsageFilter);
  const timeZone = useDisplayTimeZone();
  const filter = usageHistoryFilter(values, timeZone);
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      <UsageFilterForm onApply={setValues} />
      <ListBase
        resource="transactions"
        filter={{ customer_id: customer.id, ...filter }}
        sort={{ field: 'created_at', order: 'DESC' }}
        perPage={50}
        disableSyncWithLocation
        storeKey={false}
      >
        <ListLoadError what="the usage history">
          <LedgerTable
            showChat
            empty={
              filtered
                ? { title: 'No ledger entries match these filters.', hint: 'Widen the dates or clear a filter.' }
                : { title: 'This customer has no ledger entries yet.', hint: 'Purchases, plan grants and runs appear here as the studio reports them.' }
            }
          />
          <Pagination rowsPerPageOptions={pageSizes} />
        </ListLoadError>
      </ListBase>
    </>
  );
};

const CustomerRuns = ({ customer }: { customer: CustomerRecord }) => (
  <ListBase
    resource="generations"
    filter={{ customer_id: customer.id }}
    sort={{ field: 'started_at', order: 'DESC' }}
    perPage={25}
    disableSyncWithLocation
    storeKey={false}
  >
    <ListLoadError what="the runs">
      <RunsTable showChat empty={{ title: 'This customer has no runs yet.', hint: 'Runs appear here as the studio reports them.' }} />
      <Pagination rowsPerPageOptions={pageSizes} />
    </ListLoadError>
  </ListBase>
);

const CustomerChats = ({ customer }: { customer: CustomerRecord }) => (
  <ListBase
    resource="chats"
    filter={{ customer_id: customer.id }}
    sort={{ field: 'created_at', order: 'DESC' }}
    perPage={25}
    disableSyncWithLocation
    storeKey={false}
  >
    <ListLoadError what="the chats">
      <ChatsTable empty={{ title: 'This customer has no chats yet.', hint: 'If the ticket names a chat, paste its ID or URL in the lookup box.' }} />
      <Pagination rowsPerPageOptions={pageSizes} />
    </ListLoadError>
  </ListBase>
);

/** Customer 360: balance and plan, then the usage history, runs and chats of one customer. */
const Customer360 = () => {
  const customer = useRecordContext<CustomerRecord>();
  if (!customer) return null;
  // Tab contents sit in plain elements: TabbedShowLayout labels any component child as a field.
  return (
    <CustomerTimes customerTimeZone={customer.time_zone}>
      <Stack spacing={1} sx={{ p: 2 }}>
        <CustomerHeader customer={customer} />
        <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>
          <TimesOnToggle customerTimeZone={customer.time_zone} />
        </Stack>
      </Stack>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="Usage history">
          <div>
            <UsageHistory customer={customer} />
          </div>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Runs" path="runs">
          <div>
            <CustomerRuns customer={customer} />
          </div>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Chats" path="chats">
          <div>
            <CustomerChats customer={customer} />
          </div>
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Credits" path="credits">
          <div>
            <CustomerCredits customerId={customer.id} />
          </div>
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </CustomerTimes>
  );
};

const CustomerTitle = () => {
  const customer = useRecordContext<CustomerRecord>();
  return <span>Customer{customer ? `: ${customer.name}` : ''}</span>;
};

export const CustomerShow = () => (
  <Show title={<CustomerTitle />} actions={false}>
    <Customer360 />
  </Show>
);
