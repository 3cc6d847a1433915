import { Box } from '@mui/material';
import { Show, useRecordContext } from 'react-admin';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import type { TransactionRecord } from '../../shared/records.ts';
import { transactionKindLabel } from './transactionModel.ts';

/** One ledger entry and what it links to. */
const TransactionDetail = () => {
  const entry = useRecordContext<TransactionRecord>();
  if (!entry) return null;
  return (
    <Box sx={{ p: 2 }}>
      <FactList minWidth={200}>
        <Fact term="Kind">{transactionKindLabel(entry.kind)}</Fact>
        <Fact term="Tokens">
          <TokenAmount value={entry.amount} signed />
        </Fact>
        <Fact term="Balance after">
          <TokenAmount value={entry.balance_after} />
        </Fact>
        <Fact term="Time">
          <DateTimeText value={entry.created_at} />
        </Fact>
        <Fact term="Customer">
          <RecordLink resource="customers" id={entry.customer_id} />
        </Fact>
        <Fact term="Chat">
          <RecordLink resource="chats" id={entry.chat_id} />
        </Fact>
        <Fact term="Run">
          <RecordLink resource="generations" id={entry.generation_id} />
        </Fact>
        <Fact term="Tool">{entry.tool ?? '—'}</Fact>
        <Fact term="Reverses entry">
          <RecordLink resource="transactions" id={entry.reverses_id} />
        </Fact>
        <Fact term="Made by credit">{entry.credit_id ?? '—'}</Fact>
        <Fact term="Entry id">{entry.id}</Fact>
      </FactList>
    </Box>
  );
};

export const TransactionShow = () => (
  <Show title={<span>Ledger entry</span>} actions={false}>
    <TransactionDetail />
  </Show>
);
