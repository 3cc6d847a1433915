import { DataTable, Link } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { DeliveryChip } from './CreditDelivery.tsx';
import { creditReasonLabel } from './creditModel.ts';
import { creditShowPath } from './creditPaths.ts';
import { CreditStatusChip } from './CreditStatusChip.tsx';
import { useStudioDelivery } from './useStudioDelivery.ts';
import { TicketRef } from '../display/TicketRef.tsx';

/** Credit grants in the surrounding list context; each links to its credit. The approval queue has a table of its own (ApprovalsTable). */
export const CreditsTable = ({ empty, showCustomer = true }: { empty: { title: string; hint: string }; showCustomer?: boolean }) => {
  const { configured = true } = useStudioDelivery();
  return (
    <TableFrame>
      <DataTable<CreditRecord> bulkActionButtons={false} rowClick={false} empty={<EmptyState {...empty} />}>
        <DataTable.Col<CreditRecord> source="created_at" label="Requested" render={credit => <DateTimeText value={credit.created_at} noWrap />} />
        <DataTable.Col<CreditRecord> source="id" label="Credit" disableSort render={credit => <Link to={creditShowPath(credit.id)}>{credit.id}</Link>} />
        {showCustomer && (
          <DataTable.Col<CreditRecord>
            source="customer_id"
            label="Customer"
            disableSort
            render={credit => <Link to={showPath('customers', credit.customer_id)}>{credit.customer_name ?? credit.customer_id}</Link>}
          />
        )}
        <DataTable.Col<CreditRecord> source="amount" label="Tokens" align="right" disableSort render={credit => <TokenAmount value={credit.amount} />} />
        <DataTable.Col<CreditRecord> source="reason" label="Reason" disableSort render={credit => creditReasonLabel(credit.reason)} />
        <DataTable.Col<CreditRecord> source="status" label="Status" disableSort render={credit => <CreditStatusChip status={credit.status} />} />
        <DataTable.Col<CreditRecord> source="delivery" label="Delivery" disableSort render={credit => <DeliveryChip credit={credit} configured={configured} />} />
        <DataTable.Col<CreditRecord> source="requested_by" label="Requested by" disableSort render={credit => credit.requested_by_name ?? credit.requested_by} />
        <DataTable.Col<CreditRecord> source="ticket_ref" label="Ticket" disableSort render={credit => <TicketRef reference={credit.ticket_ref} />} />
        <DataTable.Col<CreditRecord> source="items" label="Runs" align="right" disableSort render={credit => credit.items.length} />
      </DataTable>
    </TableFrame>
  );
};
