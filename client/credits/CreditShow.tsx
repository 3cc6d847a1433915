import { Alert, AlertTitle, Box, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Show, useGetMany, useGetOne, useRecordContext } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { creditDeliveryStanding, deliveryStillMoving } from '../../shared/delivery.ts';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { formatTokens } from '../display/format.ts';
import { safeMediaUrl } from '../display/safeUrl.ts';
import { Section } from '../display/Section.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { RefundStateBadge } from '../generations/RefundStateBadge.tsx';
import { RunThumbnails } from '../generations/RunThumbnails.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { CreditDecisionButtons } from './CreditDecisionButtons.tsx';
import { CreditDeliverySection } from './CreditDelivery.tsx';
import { creditReasonLabel, readEvidence } from './creditModel.ts';
import { DELIVERY_POLL_MS } from './deliveryModel.ts';
import { CreditReply } from './CreditReply.tsx';
import { CreditStatusChip } from './CreditStatusChip.tsx';
import { RunOutputsProvider } from './RunOutputs.tsx';
import { useStudioDelivery } from './useStudioDelivery.ts';
import { TicketRef } from '../display/TicketRef.tsx';

const AuditTrail = lazy(() => import('../audit/AuditTrail.tsx').then(module => ({ default: module.AuditTrail })));

const Text = ({ children }: { children: string | null }) =>
  children ? (
    <Typography component="p" variant="body2" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {children}
    </Typography>
  ) : (
    <Typography variant="body2" color="text.secondary">
      —
    </Typography>
  );

const Who = ({ name, id, at }: { name: string | null; id: string | null; at: string | null }): ReactNode => (
  <>
    {name ?? id ?? '—'}
    {at && (
      <>
        {', '}
        <DateTimeText value={at} />
      </>
    )}
  </>
);

/** The credit's runs as records (their outputs, start times), fetched once for the page. */
const useCreditRuns = (credit: CreditRecord) => {
  const ids = credit.items.map(item => item.generation_id);
  const { data } = useGetMany<GenerationRecord>('generations', { ids }, { enabled: ids.length > 0 });
  return data ?? [];
};

/**
 * The runs of the grant: what each produced, the tokens returned for each, and the run as it
 * stood when the credit was requested, so a lead decides with the outputs in view.
 */
const CreditRuns = ({ credit }: { credit: CreditRecord }) => {
  const evidence = readEvidence(credit.evidence);
  const records = useCreditRuns(credit);
  if (credit.items.length === 0) return <Typography color="text.secondary">A goodwill credit: it covers no runs.</Typography>;
  return (
    <RunOutputsProvider runs={records}>
      <Box sx={{ contain: 'inline-size', overflowX: 'auto' }}>
        <Table size="small" aria-label="Runs of this credit">
          <TableHead>
            <TableRow>
              <TableCell>Run</TableCell>
              <TableCell>Outputs</TableCell>
              <TableCell align="right">Tokens returned by this credit</TableCell>
              <TableCell>Refund state when requested</TableCell>
              <TableCell align="right">Charged</TableCell>
              <TableCell align="right">Returned before</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {credit.items.map(item => {
              const atRequest = evidence.runs.find(run => run.generation_id === item.generation_id);
              const record = records.find(run => run.id === item.generation_id);
              return (
                <TableRow key={item.generation_id}>
                  <TableCell sx={{ overflowWrap: 'anywhere' }}>
                    <Link to={showPath('generations', item.generation_id)}>{item.generation_id}</Link>
                  </TableCell>
                  <TableCell>{record && <RunThumbnails run={record} />}</TableCell>
                  <TableCell align="right">
                    <TokenAmount value={item.tokens} />
                  </TableCell>
                  <TableCell>{atRequest?.refund_state ? <RefundStateBadge state={atRequest.refund_state} /> : '—'}</TableCell>
                  <TableCell align="right">
                    <TokenAmount value={atRequest?.tokens_charged} />
                  </TableCell>
                  <TableCell align="right">
                    <TokenAmount value={atRequest?.tokens_returned} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Box>
    </RunOutputsProvider>
  );
};

const CreditReplyButton = ({ credit }: { credit: CreditRecord }) => {
  const { data: customer } = useGetOne<CustomerRecord>('customers', { id: credit.customer_id });
  const runs = useCreditRuns(credit);
  return <CreditReply credit={credit} runTimes={runs.map(run => run.started_at)} timeZone={customer?.time_zone} />;
};

/**
 * The void of a voided credit: who took the tokens back and when (a person, or the system when a
 * late auto-refund arrived), why, and the ledger entry that reversed the credit.
 */
const VoidNotice = ({ credit }: { credit: CreditRecord }) => (
  <Alert severity="error">
    <AlertTitle>Voided</AlertTitle>
    By <Who name={credit.voided_by_name} id={credit.voided_by} at={credit.voided_at} />: {credit.void_reason ?? 'no reason given'}.{' '}
    {credit.void_transaction_id ? (
      <>
        Ledger entry <RecordLink resource="transactions" id={credit.void_transaction_id} /> took the <TokenAmount value={credit.amount} /> tokens back.
      </>
    ) : (
      'No void entry is recorded.'
    )}
  </Alert>
);

/**
 * The balance facts, as far as they are true: a credit that never applied (waiting, rejected)
 * changed no balance, so it shows the balance when it was requested and no "after".
 */
const BalanceFacts = ({ credit }: { credit: CreditRecord }) => {
  const { balanceBefore } = readEvidence(credit.evidence);
  const before = balanceBefore == null ? '—' : `${formatTokens(balanceBefore)} tokens`;
  if (credit.balance_after == null) return <Fact term="Balance when requested">{before}</Fact>;
  return (
    <>
      <Fact term="Balance before">{before}</Fact>
      <Fact term="Balance after">{`${formatTokens(credit.balance_after)} tokens`}</Fact>
    </>
  );
};

/** One grant: who asked for what and why, the runs and evidence, the decision, and its audit trail. */
const CreditDetail = () => {
  const credit = useRecordContext<CreditRecord>();
  if (!credit) return null;
  const links = credit.customer_asset_urls;
  return (
    <Stack spacing={3} sx={{ p: 2 }}>
      <Box>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h5" component="h2">
            <TokenAmount value={credit.amount} /> tokens for{' '}
            <Link to={showPath('customers', credit.customer_id)}>{credit.customer_name ?? credit.customer_id}</Link>
          </Typography>
          <CreditStatusChip status={credit.status} />
        </Stack>
        <Typography variant="body2" color="text.secondary">
          Credit {credit.id} · {creditReasonLabel(credit.reason)} · ticket <TicketRef reference={credit.ticket_ref} />
        </Typography>
      </Box>

      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <CreditReplyButton credit={credit} />
        <CreditDecisionButtons credit={credit} />
      </Stack>

      {credit.status === 'pending_approval' && (
        <Alert severity="warning">
          <AlertTitle>Waiting for approval</AlertTitle>
          {credit.approval_reasons.length > 0 ? credit.approval_reasons.join(' ') : 'A lead must approve it.'} Its tokens are held until a lead decides.
        </Alert>
      )}
      {credit.anomalies.length > 0 && (
        <Alert severity="info">
          <AlertTitle>Worth a second look</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {credit.anomalies.map(anomaly => (
              <li key={anomaly.rule}>{anomaly.message}</li>
            ))}
          </Box>
        </Alert>
      )}
      {credit.status === 'voided' && <VoidNotice credit={credit} />}

      <CreditDeliverySection credit={credit} />

      <FactList>
        <Fact term="Reason">{creditReasonLabel(credit.reason)}</Fact>
        <Fact term="Ticket"><TicketRef reference={credit.ticket_ref} /></Fact>
        <Fact term="Requested by">
          <Who name={credit.requested_by_name} id={credit.requested_by} at={credit.created_at} />
        </Fact>
        <Fact term={credit.status === 'rejected' ? 'Rejected by' : 'Decided by'}>
          {credit.decided_at ? <Who name={credit.decided_by_name} id={credit.decided_by} at={credit.decided_at} /> : credit.status === 'applied' ? 'Applied at once' : '—'}
        </Fact>
        {credit.decision_reason && <Fact term="Decision reason">{credit.decision_reason}</Fact>}
        <BalanceFacts credit={credit} />
        <Fact term="Ledger entry">
          <RecordLink resource="transactions" id={credit.transaction_id} />
        </Fact>
        {credit.void_transaction_id && (
          <Fact term="Void entry">
            <RecordLink resource="transactions" id={credit.void_transaction_id} />
          </Fact>
        )}
      </FactList>

      {credit.status !== 'pending_approval' && credit.approval_reasons.length > 0 && (
        <Section title="Why it waited for approval">
          <Box component="ul" sx={{ m: 0, pl: 3 }}>
            {credit.approval_reasons.map(reason => (
              <li key={reason}>
                <Typography variant="body2">{reason}</Typography>
              </li>
            ))}
          </Box>
        </Section>
      )}

      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
        <Section title="Customer expected">
          <Text>{credit.expected}</Text>
        </Section>
        <Section title="Customer received">
          <Text>{credit.received}</Text>
        </Section>
      </Box>
      <Section title="Internal note">
        <Text>{credit.note}</Text>
      </Section>
      {links.length > 0 && (
        <Section title="Customer-provided assets">
          <Box component="ul" sx={{ m: 0, pl: 3 }}>
            {links.map(link => {
              const safe = safeMediaUrl(link);
              return (
                <li key={link}>
                  {safe ? (
                    <a href={safe} target="_blank" rel="noopener noreferrer">
                      {link}
                    </a>
                  ) : (
                    <span>{link} (not an https link: not opened)</span>
                  )}
                </li>
              );
            })}
          </Box>
        </Section>
      )}

      <Section title="Runs">
        <CreditRuns credit={credit} />
      </Section>

      <Section title="Audit trail">
        <Suspense fallback={<Typography color="text.secondary">Loading the audit trail…</Typography>}>
          <AuditTrail entityId={credit.id} customerId={credit.customer_id} />
        </Suspense>
      </Section>
    </Stack>
  );
};

const CreditTitle = () => {
  const credit = useRecordContext<CreditRecord>();
  return <span>Credit{credit ? ` ${credit.id}` : ''}</span>;
};

/**
 * The credit's page. While its delivery may still move by itself (waiting for the studio, or
 * failing between retries), the page asks again every few seconds, so a lead who pressed Retry
 * now sees the outcome without reloading; it stops once everything is settled.
 */
export const CreditShow = () => {
  const { configured } = useStudioDelivery();
  return (
    <Show<CreditRecord>
      title={<CreditTitle />}
      actions={false}
      queryOptions={{
        refetchInterval: query =>
          query.state.data && configured !== undefined && deliveryStillMoving(creditDeliveryStanding(query.state.data, configured))
            ? DELIVERY_POLL_MS
            : false,
      }}
    >
      <CreditDetail />
    </Show>
  );
};
