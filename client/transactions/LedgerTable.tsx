import { Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { DataTable } from 'react-admin';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import type { TransactionRecord } from '../../shared/records.ts';
import { transactionKindLabel } from './transactionModel.ts';

const Amount = ({ entry }: { entry: TransactionRecord }) => (
  <Typography component="span" variant="body2" color={entry.amount < 0 ? 'error' : 'success.dark'}>
    <TokenAmount value={entry.amount} signed />
  </Typography>
);

/** What an entry reverses or which grant made it: the trail between ledger entries. */
const Trail = ({ entry }: { entry: TransactionRecord }) => {
  const parts: ReactNode[] = [];
  if (entry.reverses_id) parts.push(<span key="reverses">reverses {entry.reverses_id}</span>);
  if (entry.credit_id) parts.push(<span key="credit">credit {entry.credit_id}</span>);
  if (parts.length === 0) return <span>—</span>;
  return <>{parts.reduce<ReactNode[]>((all, part, index) => (index ? [...all, '; ', part] : [part]), [])}</>;
};

/**
 * Ledger entries in the surrounding list context. Read-only: entries are never edited, so there
 * is no selection. Columns a context makes redundant (the run on a run's page) can be left out.
 */
export const LedgerTable = ({
  empty,
  showRun = true,
  showChat = false,
  showCustomer = false,
}: {
  empty: { title: string; hint: string };
  showRun?: boolean;
  showChat?: boolean;
  showCustomer?: boolean;
}) => (
  <TableFrame>
    <DataTable<TransactionRecord> bulkActionButtons={false} rowClick={false} empty={<EmptyState {...empty} />}>
      <DataTable.Col<TransactionRecord> source="created_at" label="Time" render={entry => <DateTimeText value={entry.created_at} noWrap />} />
      <DataTable.Col<TransactionRecord> source="kind" label="Kind" disableSort render={entry => transactionKindLabel(entry.kind)} />
      <DataTable.Col<TransactionRecord> source="amount" label="Tokens" align="right" disableSort render={entry => <Amount entry={entry} />} />
      <DataTable.Col<TransactionRecord>
        source="balance_after"
        label="Balance after"
        align="right"
        disableSort
        render={entry => <TokenAmount value={entry.balance_after} />}
      />
      <DataTable.Col<TransactionRecord> source="id" label="Entry" disableSort cellSx={() => ({ whiteSpace: 'nowrap' })} />
      <DataTable.Col<TransactionRecord> source="reverses_id" label="Reverses / credit" disableSort render={entry => <Trail entry={entry} />} />
      {showRun && (
        <DataTable.Col<TransactionRecord>
          source="generation_id"
          label="Run"
          disableSort
          render={entry => <RecordLink resource="generations" id={entry.generation_id} />}
        />
      )}
      {showChat && (
        <DataTable.Col<TransactionRecord> source="chat_id" label="Chat" disableSort render={entry => <RecordLink resource="chats" id={entry.chat_id} />} />
      )}
      {showCustomer && (
        <DataTable.Col<TransactionRecord>
          source="customer_id"
          label="Customer"
          disableSort
          render={entry => <RecordLink resource="customers" id={entry.customer_id} />}
        />
      )}
      <DataTable.Col<TransactionRecord> source="tool" label="Tool" disableSort render={entry => entry.tool ?? '—'} />
    </DataTable>
  </TableFrame>
);
