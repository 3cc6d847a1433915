import type { ReactNode } from 'react';
import { DataTable } from 'react-admin';
import { CreditSelectedRunsButton } from '../credits/CreditSelectedRunsButton.tsx';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import type { GenerationRecord } from '../../shared/records.ts';
import { RefundStateBadge } from './RefundStateBadge.tsx';
import { RunAssetsProvider } from './RunAssetsContext.tsx';
import { RunStatus } from './RunStatus.tsx';
import { RunThumbnails } from './RunThumbnails.tsx';

/**
 * Runs (generations) in the surrounding list context, each with its refund state in words and
 * its first outputs. Rows can be selected, for the bulk actions passed as `bulkActions`.
 */
export const RunsTable = ({
  empty,
  showChat = false,
  showCustomer = false,
  bulkActions = <CreditSelectedRunsButton />,
}: {
  empty: { title: string; hint: string };
  showChat?: boolean;
  showCustomer?: boolean;
  bulkActions?: ReactNode;
}) => (
  <RunAssetsProvider>
    <TableFrame>
      <DataTable<GenerationRecord> bulkActionButtons={bulkActions} rowClick={false} empty={<EmptyState {...empty} />}>
        <DataTable.Col<GenerationRecord> source="started_at" label="Started" render={run => <DateTimeText value={run.started_at} noWrap />} />
        <DataTable.Col<GenerationRecord> source="tool" label="Tool" disableSort />
        <DataTable.Col<GenerationRecord> source="status" label="Status" disableSort render={run => <RunStatus run={run} />} />
        <DataTable.Col<GenerationRecord> source="tokens_charged" label="Charged" align="right" disableSort render={run => <TokenAmount value={run.tokens_charged} />} />
        <DataTable.Col<GenerationRecord> source="tokens_returned" label="Returned" align="right" disableSort render={run => <TokenAmount value={run.tokens_returned} />} />
        <DataTable.Col<GenerationRecord> source="refund_state" label="Refund" disableSort render={run => <RefundStateBadge state={run.refund_state} />} />
        <DataTable.Col<GenerationRecord> source="asset_count" label="Outputs" disableSort render={run => <RunThumbnails run={run} />} />
        <DataTable.Col<GenerationRecord>
          source="id"
          label="Run"
          disableSort
          render={run => <RecordLink resource="generations" id={run.id} />}
        />
        <DataTable.Col<GenerationRecord> source="model" label="Model" disableSort render={run => run.model ?? '—'} />
        {showChat && (
          <DataTable.Col<GenerationRecord>
            source="chat_id"
            label="Chat"
            disableSort
            render={run => <RecordLink resource="chats" id={run.chat_id} />}
          />
        )}
        {showCustomer && (
          <DataTable.Col<GenerationRecord>
            source="customer_id"
            label="Customer"
            disableSort
            render={run => <RecordLink resource="customers" id={run.customer_id} />}
          />
        )}
      </DataTable>
    </TableFrame>
  </RunAssetsProvider>
);
