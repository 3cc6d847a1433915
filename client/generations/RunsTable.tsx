import { Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { DataTable } from 'react-admin';
import { CreditSelectedRunsButton } from '../credits/CreditSelectedRunsButton.tsx';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { useNow } from '../display/useNow.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { CreditRunButton } from './CreditRunButton.tsx';
import { RefundAnswerText } from './RefundAnswerText.tsx';
import { RunAssetsProvider } from './RunAssetsContext.tsx';
import { RunPrompt } from './RunPrompt.tsx';
import { RunStatus } from './RunStatus.tsx';
import { RunThumbnails } from './RunThumbnails.tsx';

/** Where a run belongs, for lists that mix chats or customers. */
const RunPlace = ({ run, showChat, showCustomer }: { run: GenerationRecord; showChat: boolean; showCustomer: boolean }) =>
  showChat || showCustomer ? (
    <Typography
      variant="caption"
      color="text.secondary"
      component="p"
      sx={{ overflowWrap: 'anywhere', '& a': { whiteSpace: 'normal', overflowWrap: 'anywhere' } }}
    >
      {showChat && (
        <>
          chat <RecordLink resource="chats" id={run.chat_id} />
        </>
      )}
      {showChat && showCustomer && ' · '}
      {showCustomer && (
        <>
          customer <RecordLink resource="customers" id={run.customer_id} />
        </>
      )}
    </Typography>
  ) : null;

/**
 * Runs (generations) in the surrounding list context, each as an agent recognises it — its prompt,
 * its outputs (previewed in a dialog), its refund answer in words — with "Credit this run" where
 * a credit could still return tokens. Rows can be selected, for the bulk actions passed as
 * `bulkActions`. Columns are combined so that the table fits a 1280-pixel screen.
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
}) => {
  // One clock for every row's age ("failed 20 minutes ago"), refreshed each minute.
  const now = useNow(60_000);
  return (
    <RunAssetsProvider>
      <TableFrame dense>
        <DataTable<GenerationRecord> bulkActionButtons={bulkActions} rowClick={false} empty={<EmptyState {...empty} />}>
          <DataTable.Col<GenerationRecord>
            source="started_at"
            label="Started"
            render={run => (
              <Typography variant="body2" component="span" sx={{ display: 'block', minWidth: 100 }}>
                <DateTimeText value={run.started_at} />
              </Typography>
            )}
          />
          <DataTable.Col<GenerationRecord>
            source="id"
            label="Run and prompt"
            disableSort
            render={run => (
              <Stack spacing={0.25} sx={{ minWidth: 150, maxWidth: 240 }}>
                <Typography variant="body2" component="span" sx={{ '& a': { whiteSpace: 'normal', overflowWrap: 'anywhere' } }}>
                  <RecordLink resource="generations" id={run.id} />
                </Typography>
                <RunPrompt prompt={run.prompt} />
                <RunPlace run={run} showChat={showChat} showCustomer={showCustomer} />
              </Stack>
            )}
          />
          <DataTable.Col<GenerationRecord>
            source="tool"
            label="Tool"
            disableSort
            render={run => (
              <Stack spacing={0.25}>
                <Typography variant="body2" component="span">
                  {run.tool}
                  {run.model && (
                    <Typography variant="body2" component="span" color="text.secondary">
                      {' · '}
                      {run.model}
                    </Typography>
                  )}
                </Typography>
                <RunStatus run={run} />
              </Stack>
            )}
          />
          <DataTable.Col<GenerationRecord>
            source="tokens_charged"
            label="Charged"
            align="right"
            disableSort
            render={run => <TokenAmount value={run.tokens_charged} />}
          />
          <DataTable.Col<GenerationRecord> source="refund_state" label="Refund" disableSort render={run => <RefundAnswerText run={run} now={now} />} />
          <DataTable.Col<GenerationRecord> source="asset_count" label="Outputs" disableSort render={run => <RunThumbnails run={run} />} />
          <DataTable.Col<GenerationRecord>
            source="tokens_reserved"
            label="Credit"
            disableSort
            render={run => <CreditRunButton run={run} short />}
          />
        </DataTable>
      </TableFrame>
    </RunAssetsProvider>
  );
};
