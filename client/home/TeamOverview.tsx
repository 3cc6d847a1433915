import { Box, Button, Grid, Typography } from '@mui/material';
import { useMemo, type ReactNode } from 'react';
import { Link, useGetList } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { deliveryNeedsAttention } from '../../shared/delivery.ts';
import { approvalsPath, creditListPath, creditShowPath } from '../credits/creditPaths.ts';
import { addDays, ageAt, utcDay } from '../dashboard/dashboardModel.ts';
import { ReportCard } from '../dashboard/ReportCard.tsx';
import { useCreditReport, useStudioDeliveryReport } from '../dashboard/useReports.ts';
import { formatTokenCount, formatTokens } from '../display/format.ts';
import { LIVE_REFRESH_MS } from '../layout/liveCounts.ts';
import { countLabel } from '../lists/listTotal.ts';
import { missingRefundsPath } from '../missingRefunds/missingRefundModel.ts';
import { useMissingRefundCount } from '../missingRefunds/useMissingRefundCount.ts';
import { comparedWithYesterday, creditCount, todayAgainstYesterday } from './homeModel.ts';

const SHOWN = 3;

/** The card's headline figure, large, with what it counts beside it. */
const Figure = ({ value, unit }: { value: string; unit: string }) => (
  <Typography component="p" sx={{ mb: 1 }}>
    <Box component="span" sx={{ fontSize: '2rem', fontWeight: 500, fontVariantNumeric: 'tabular-nums' }}>
      {value}
    </Box>{' '}
    {unit}
  </Typography>
);

const CardLink = ({ to, children }: { to: string; children: ReactNode }) => (
  <Button component={Link} to={to} size="small" sx={{ mt: 1, ml: -1 }}>
    {children}
  </Button>
);

/** Credits short list: who asked, for whom, how much, how long ago. */
const CreditLines = ({ credits, now }: { credits: CreditRecord[]; now: Date }) => (
  <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
    {credits.map(credit => (
      <Typography component="li" variant="body2" key={credit.id}>
        <Link to={creditShowPath(credit.id)}>{formatTokenCount(credit.amount)}</Link> for {credit.customer_name ?? credit.customer_id}, by{' '}
        {credit.requested_by_name ?? credit.requested_by}, {ageAt(credit.created_at, now)} ago
      </Typography>
    ))}
  </Box>
);

/** Credits waiting for a lead, the longest-waiting first. */
const ApprovalsWaiting = () => {
  const query = useGetList<CreditRecord>(
    'credits',
    { filter: { status: 'pending_approval' }, pagination: { page: 1, perPage: SHOWN }, sort: { field: 'created_at', order: 'ASC' } },
    { refetchInterval: LIVE_REFRESH_MS },
  );
  const total = query.total ?? 0;
  return (
    <ReportCard title="Approvals waiting" description="Credits above an agent’s limits, waiting for a lead. You cannot approve your own." query={query}>
      <Figure value={formatTokens(total)} unit={total === 1 ? 'credit waits' : 'credits wait'} />
      {total > 0 && <CreditLines credits={query.data ?? []} now={new Date(query.dataUpdatedAt || Date.now())} />}
      <CardLink to={approvalsPath}>Open the approval queue</CardLink>
    </ReportCard>
  );
};

/** Runs whose auto-refund never came: each one a customer owed tokens. */
const MissingRefunds = () => {
  const { total, capped, ...query } = useMissingRefundCount();
  return (
    <ReportCard title="Missing refunds" description="Failed, charged runs the studio never refunded after the grace period." query={query}>
      <Figure value={countLabel(total ?? 0, capped)} unit={total === 1 && !capped ? 'run owed' : 'runs owed'} />
      <CardLink to={missingRefundsPath}>Open the missing-refund queue</CardLink>
    </ReportCard>
  );
};

/** Credit events the studio has not taken: failing now, or given up and waiting for a lead. */
const FailingDeliveries = () => {
  const report = useStudioDeliveryReport();
  const failing = useGetList<CreditRecord>(
    'credits',
    { filter: { delivery_state: 'failing' }, pagination: { page: 1, perPage: SHOWN }, sort: { field: 'created_at', order: 'DESC' } },
    { refetchInterval: LIVE_REFRESH_MS },
  );
  const now = new Date(report.dataUpdatedAt || Date.now());
  const counts = report.data?.counts;
  return (
    <ReportCard
      title="Failing deliveries"
      description="Credit events that did not reach the customers’ accounts in the studio yet."
      query={{ isPending: report.isPending, error: report.error ?? failing.error, refetch: () => (report.error ? report.refetch() : failing.refetch()) }}
    >
      {report.data && counts && (
        <>
          <Figure value={formatTokens(counts.failing)} unit={counts.failing === 1 ? 'event failing' : 'events failing'} />
          {!report.data.push_enabled && !report.data.feed_enabled && (
            <Typography variant="body2" color="warning.main" sx={{ mb: 1 }}>
              Delivery to the studio is not configured: nothing is sent, so nothing can fail yet.
            </Typography>
          )}
          {counts.given_up > 0 && (
            <Typography variant="body2" color={deliveryNeedsAttention(report.data, now) ? 'error' : undefined} sx={{ mb: 1 }}>
              {formatTokens(counts.given_up)} given up: <Link to={creditListPath({ delivery_state: 'given_up' })}>retry from their credits</Link>
            </Typography>
          )}
          {(failing.data?.length ?? 0) > 0 && <CreditLines credits={failing.data ?? []} now={now} />}
          <CardLink to={creditListPath({ delivery_state: 'failing' })}>Every failing credit</CardLink>
        </>
      )}
    </ReportCard>
  );
};

/** Today's applied credits (UTC day, as the reports count) beside yesterday's. */
const CreditsToday = () => {
  const today = utcDay(new Date());
  const period = useMemo(() => ({ from: addDays(today, -1), to: today }), [today]);
  const query = useCreditReport('day', period, { refetchInterval: 60_000 });
  const figures = todayAgainstYesterday(query.data?.rows ?? [], today);
  return (
    <ReportCard title="Credits today" description="Applied credits (net of voids) requested today, UTC, against yesterday." query={query}>
      <Figure value={formatTokens(figures.today.tokens)} unit="tokens" />
      <Typography variant="body2">
        {creditCount(figures.today.count)}, {comparedWithYesterday(figures.today.count, figures.yesterday.count)} (
        {creditCount(figures.yesterday.count)}, {formatTokenCount(figures.yesterday.tokens)})
      </Typography>
      <CardLink to={creditListPath({ status: 'applied', created_at_gte: today, created_at_lte: today })}>Today’s credits</CardLink>
    </ReportCard>
  );
};

/** A lead's first look: what waits for a lead's hand, and how today compares with yesterday. */
export const TeamOverview = () => (
  <Grid container spacing={2} component="section" aria-label="The team today">
    <Grid size={{ xs: 12, md: 6, xl: 3 }}>
      <ApprovalsWaiting />
    </Grid>
    <Grid size={{ xs: 12, md: 6, xl: 3 }}>
      <MissingRefunds />
    </Grid>
    <Grid size={{ xs: 12, md: 6, xl: 3 }}>
      <FailingDeliveries />
    </Grid>
    <Grid size={{ xs: 12, md: 6, xl: 3 }}>
      <CreditsToday />
    </Grid>
  </Grid>
);
