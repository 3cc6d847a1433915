import { Box, Typography } from '@mui/material';
import { DataTable, Link } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { CreditDecisionButtons } from './CreditDecisionButtons.tsx';
import { DeliveryChip } from './CreditDelivery.tsx';
import { creditReasonLabel } from './creditModel.ts';
import { creditShowPath } from './creditPaths.ts';
import { CreditStatusChip } from './CreditStatusChip.tsx';
import { useStudioDelivery } from './useStudioDelivery.ts';

/**
 * Credit grants in the surrounding list context. `decisions` adds the approve/reject/void buttons
 * the signed-in user may use (the approval queue); rows open the credit from its id.
 */
export const CreditsTable = ({
  empty,
  showCustomer = true,
  decisions = false,
}: {
  empty: { title: string; hint: string };
  showCustomer?: boolean;
  decisions?: boolean;
}) => {
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
        {/* The queue holds only credits waiting: their status goes without saying. */}
        {!decisions && <DataTable.Col<CreditRecord> source="status" label="Status" disableSort render={credit => <CreditStatusChip status={credit.status} />} />}
        {/* Nothing of a waiting credit has gone to the studio yet. */}
        {!decisions && (
          <DataTable.Col<CreditRecord>
            source="delivery"
            label="Delivery"
            disableSort
            render={credit => <DeliveryChip credit={credit} configured={configured} />}
          />
        )}
        <DataTable.Col<CreditRecord> source="requested_by" label="Requested by" disableSort render={credit => credit.requested_by_name ?? credit.requested_by} />
        <DataTable.Col<CreditRecord> source="ticket_ref" label="Ticket" disableSort />
        <DataTable.Col<CreditRecord> source="items" label="Runs" align="right" disableSort render={credit => credit.items.length} />
        {decisions && (
          <DataTable.Col<CreditRecord>
            source="approval_reasons"
            label="Why it waits"
            disableSort
            cellSx={() => ({ minWidth: 260 })}
            render={credit => (
              <>
                {credit.approval_reasons.length > 0 ? credit.approval_reasons.join(' ') : '—'}
                {credit.anomalies.map(anomaly => (
                  <Typography key={anomaly.rule} variant="body2" color="warning.dark">
                    {anomaly.message}
                  </Typography>
                ))}
              </>
            )}
          />
        )}
        {decisions && (
          <DataTable.Col<CreditRecord>
            label="Decision"
            disableSort
            cellSx={() => ({ whiteSpace: 'nowrap' })}
            render={credit => (
              // Dialogs render in a portal, but their clicks still bubble to the row through React.
              <Box onClick={event => event.stopPropagation()}>
                <CreditDecisionButtons credit={credit} />
              </Box>
            )}
          />
        )}
      </DataTable>
    </TableFrame>
  );
};
