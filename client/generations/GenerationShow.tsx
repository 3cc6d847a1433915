import { Alert, AlertTitle, Box, Stack, Typography } from '@mui/material';
import { Link, ListBase, Show, useGetOne, useRecordContext } from 'react-admin';
import { RunReplyButton } from '../credits/RunReplyButton.tsx';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { CustomerTimes, TimesOnToggle } from '../display/displayTimeZone.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { formatDuration } from '../display/format.ts';
import { formatAge } from '../display/relativeTime.ts';
import { useNow } from '../display/useNow.ts';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { Section } from '../display/Section.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import { LedgerTable } from '../transactions/LedgerTable.tsx';
import { AssetGallery } from './AssetGallery.tsx';
import { CreditRunButton } from './CreditRunButton.tsx';
import { generationStatusLabel } from './generationModel.ts';
import { RefundProofNote } from './RefundProofNote.tsx';
import { RefundStateBadge } from './RefundStateBadge.tsx';

const elapsed = (run: GenerationRecord): string => {
  if (!run.finished_at) return 'not finished';
  return formatDuration(new Date(run.finished_at).getTime() - new Date(run.started_at).getTime());
};

/** How long ago a failed run without its auto-refund finished: the age of a refund still due or missing. */
const FailedAge = ({ run }: { run: GenerationRecord }) => {
  const now = useNow(60_000);
  if (!run.finished_at || (run.refund_state !== 'refund_missing' && run.refund_state !== 'refund_pending')) return null;
  return <> ({formatAge(run.finished_at, now)} ago, no auto-refund yet)</>;
};

/** Run detail: what was asked, what happened, what it cost and what came back, and the outputs. */
const RunDetail = () => {
  const run = useRecordContext<GenerationRecord>();
  const { data: customer } = useGetOne<CustomerRecord>('customers', { id: run?.customer_id ?? '' }, { enabled: Boolean(run) });
  if (!run) return null;
  return (
    <CustomerTimes customerTimeZone={customer?.time_zone}>
      <Stack spacing={3} sx={{ p: 2 }}>
        <Stack direction="row" spacing={2} useFlexGap sx={{ justifyContent: 'space-between', alignItems: 'flex-end', flexWrap: 'wrap' }}>
          <Box sx={{ minWidth: 0 }}>
            <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <Typography variant="h5" component="h2" sx={{ overflowWrap: 'anywhere' }}>
                Run {run.id}
              </Typography>
              <RefundStateBadge state={run.refund_state} />
              <CreditRunButton run={run} variant="contained" />
              <RunReplyButton run={run} />
            </Stack>
            <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
              In chat <Link to={showPath('chats', run.chat_id)}>{run.chat_id}</Link> of customer{' '}
              <Link to={showPath('customers', run.customer_id)}>{customer?.name ?? run.customer_id}</Link>
            </Typography>
          </Box>
          <TimesOnToggle customerTimeZone={customer?.time_zone} />
        </Stack>

        <FactList>
          <Fact term="Tool">{run.tool}</Fact>
          <Fact term="Model">{run.model ?? '—'}</Fact>
          <Fact term="Status">{generationStatusLabel(run.status)}</Fact>
          <Fact term="Started">
            <DateTimeText value={run.started_at} />
          </Fact>
          <Fact term="Finished">
            <DateTimeText value={run.finished_at} missing="Not finished" />
            <FailedAge run={run} />
          </Fact>
          <Fact term="Took">{elapsed(run)}</Fact>
          <Fact term="Tokens charged">
            <TokenAmount value={run.tokens_charged} />
          </Fact>
          <Fact term="Tokens returned">
            <TokenAmount value={run.tokens_returned} />
          </Fact>
          <Fact term="Held by pending credits">
            <TokenAmount value={run.tokens_reserved} />
          </Fact>
        </FactList>

        {run.status === 'failed' && (
          <Alert severity="error">
            <AlertTitle>Failed{run.error_code ? `: ${run.error_code}` : ''}</AlertTitle>
            {run.error_message || 'The studio gave no error message.'}
          </Alert>
        )}

        <Section title="Prompt">
          {run.prompt ? (
            <Typography
              component="pre"
              variant="body2"
              sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontFamily: 'inherit', bgcolor: 'action.hover', p: 2, borderRadius: 1, m: 0 }}
            >
              {run.prompt}
            </Typography>
          ) : (
            <Typography color="text.secondary">No prompt was recorded for this run.</Typography>
          )}
        </Section>

        <ListBase
          resource="transactions"
          filter={{ generation_id: run.id }}
          sort={{ field: 'created_at', order: 'ASC' }}
          perPage={100}
          disableSyncWithLocation
          storeKey={false}
        >
          <Stack spacing={3}>
            <RefundProofNote run={run} />
            <Section title="Ledger entries of this run">
              <ListLoadError what="the ledger entries">
                <LedgerTable
                  showRun={false}
                  empty={{ title: 'No ledger entries for this run.', hint: 'Nothing was charged or returned for it yet.' }}
                />
              </ListLoadError>
            </Section>
          </Stack>
        </ListBase>

        <Section title="Outputs">
          <AssetGallery runId={run.id} />
        </Section>
      </Stack>
    </CustomerTimes>
  );
};

const RunTitle = () => {
  const run = useRecordContext<GenerationRecord>();
  return <span>Run{run ? ` ${run.id}` : ''}</span>;
};

export const GenerationShow = () => (
  <Show title={<RunTitle />} actions={false}>
    <RunDetail />
  </Show>
);
