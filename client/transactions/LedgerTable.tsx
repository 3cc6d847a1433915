import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { DataTable } from 'react-admin';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import type { TransactionRecord } from '../../shared/records.ts';
import { transactionKindLabel } from './transactionModel.ts';

/** Long ids may break anywhere in these cells: a table of them must still fit the screen. */
const wrappingIds = { overflowWrap: 'anywhere', '& a': { whiteSpace: 'normal', overflowWrap: 'anywhere' } } as const;

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
  if (parts.length === 0) return null;
  return (
    <Typography variant="caption" color="text.secondary" component="p">
      {parts.reduce<ReactNode[]>((all, part, index) => (index ? [...all, '; ', part] : [part]), [])}
    </Typography>
  );
};

/** A link of an entry, named by what it leads to ("run gen_1"). */
const LinkLine = ({ what, resource, id }: { what: string; resource: 'generations' | 'chats' | 'customers'; id: string | null }) =>
  id ? (
    <Typography variant="body2" component="p">
      {what} <RecordLink resource={resource} id={id} />
    </Typography>
  ) : null;

/**
 * Ledger entries in the surrounding list context. Read-only: entries are never edited, so there
 * is no selection. Each entry's id carries its trail (what it reverses, which grant made it); its
 * run, chat and customer share one column. Links a context makes redundant (the run on a run's
 * page) can be left out.
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
  <TableFrame dense>
    <DataTable<TransactionRecord> bulkActionButtons={false} rowClick={false} empty={<EmptyState {...empty} />}>
      <DataTable.Col<TransactionRecord>
        source="created_at"
        label="Time"
        render={entry => (
          <Box component="span" sx={{ display: 'block', minWidth: 100 }}>
            <DateTimeText value={entry.created_at} />
          </Box>
        )}
      />
      <DataTable.Col<TransactionRecord>
        source="kind"
        label="Kind"
        disableSort
        render={entry => (
          <>
            {transactionKindLabel(entry.kind)}
            {entry.tool && (
              <Typography variant="caption" color="text.secondary" component="p">
                {entry.tool}
              </Typography>
            )}
          </>
        )}
      />
      <DataTable.Col<TransactionRecord> source="amount" label="Tokens" align="right" disableSort render={entry => <Amount entry={entry} />} />
      <DataTable.Col<TransactionRecord>
        source="balance_after"
        label="Balance after"
        align="right"
        disableSort
        render={entry => <TokenAmount value={entry.balance_after} />}
      />
      <DataTable.Col<TransactionRecord>
        source="id"
        label="Entry"
        disableSort
        render={entry => (
          <Box sx={{ ...wrappingIds, minWidth: 120 }}>
            <span>{entry.id}</span>
            <Trail entry={entry} />
          </Box>
        )}
      />
      {(showRun || showChat || showCustomer) && (
        <DataTable.Col<TransactionRecord>
          source="generation_id"
          label={[showRun && 'Run', showChat && 'chat', showCustomer && 'customer'].filter(Boolean).join(' / ').replace(/^./, first => first.toUpperCase())}
          disableSort
          render={entry =>
            (showRun && entry.generation_id) || (showChat && entry.chat_id) || showCustomer ? (
              <Box sx={{ ...wrappingIds, minWidth: 120 }}>
                {showRun && <LinkLine what="run" resource="generations" id={entry.generation_id} />}
                {showChat && <LinkLine what="chat" resource="chats" id={entry.chat_id} />}
                {showCustomer && <LinkLine what="customer" resource="customers" id={entry.customer_id} />}
              </Box>
            ) : (
              '—'
            )
          }
        />
      )}
    </DataTable>
  </TableFrame>
);
