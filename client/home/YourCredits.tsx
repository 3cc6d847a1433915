import { Alert, AlertTitle, Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { DataTable, Link, ListBase, useDataProvider, useStore } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { DeliveryChip } from '../credits/CreditDelivery.tsx';
import { creditReasonLabel } from '../credits/creditModel.ts';
import { creditListPath, creditShowPath } from '../credits/creditPaths.ts';
import { CreditStatusChip } from '../credits/CreditStatusChip.tsx';
import { useStudioDelivery } from '../credits/useStudioDelivery.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { formatTokenCount } from '../display/format.ts';
import { LIVE_REFRESH_MS } from '../layout/liveCounts.ts';
import { decisionOutcome, decisionsSince, lastLookedKey, type DecisionKind } from './homeModel.ts';

const RECENT_SHOWN = 10;

/** The credit's id as its link, cut short on screen (the whole id on hover and for screen readers) so the table fits. */
const CreditLink = ({ credit }: { credit: CreditRecord }) => (
  <Link
    to={creditShowPath(credit.id)}
    title={credit.id}
    sx={{ display: 'inline-block', maxWidth: '14ch', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' }}
  >
    {credit.id}
  </Link>
);
const CustomerName = ({ credit }: { credit: CreditRecord }) => <>{credit.customer_name ?? credit.customer_id}</>;

const decisionSeverity: Record<DecisionKind, 'success' | 'warning' | 'error'> = { approved: 'success', rejected: 'warning', voided: 'error' };

/**
 * "Decided since you last looked": what leads (or the console itself) did to your credits since
 * your last visit here, asked again while the page is open. Every answer moves the last look on
 * to the server's time of that answer; what this visit found stays on screen until you leave.
 */
const DecidedSinceLastLook = ({ staffId }: { staffId: string }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const [lastLookedAt, setLastLookedAt] = useStore<string | undefined>(lastLookedKey(staffId));
  // Fixed for this visit: the stored look moves on as answers arrive.
  const [{ since, firstLook }] = useState(() => decisionsSince(lastLookedAt, new Date()));
  const query = useQuery({
    queryKey: ['reports', 'decisions', since],
    queryFn: () => dataProvider.decisions(since),
    refetchInterval: LIVE_REFRESH_MS,
    retry: false,
  });
  const asOf = query.data?.as_of;
  useEffect(() => {
    if (asOf) setLastLookedAt(asOf);
  }, [asOf, setLastLookedAt]);

  const heading = firstLook ? 'Decided in the last 24 hours' : 'Decided since you last looked';
  if (query.error) {
    return (
      <Alert severity="error" action={<Button color="inherit" size="small" onClick={() => query.refetch()}>Retry</Button>}>
        Could not load the decisions on your credits.
      </Alert>
    );
  }
  // A call refused with a 401 resolves empty (react-admin signs the person out meanwhile): nothing to show.
  const rows = query.data?.rows;
  if (!rows) return null;
  if (rows.length === 0) {
    return (
      <Typography color="text.secondary">
        {firstLook ? (
          'No credit of yours was decided in the last 24 hours.'
        ) : (
          <>
            No credit of yours was decided since you last looked (<DateTimeText value={since} />).
          </>
        )}
      </Typography>
    );
  }
  return (
    <Box component="section" aria-label={heading}>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 500, mb: 1 }}>
        {heading}
      </Typography>
      <Stack component="ul" spacing={1} sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {rows.map(credit => {
          const outcome = decisionOutcome(credit);
          return (
            <Alert component="li" key={credit.id} severity={decisionSeverity[outcome.kind]}>
              <AlertTitle>
                {outcome.label} · <DateTimeText value={outcome.at} />
              </AlertTitle>
              <CreditLink credit={credit} /> for <CustomerName credit={credit} />: {formatTokenCount(credit.amount)}, {creditReasonLabel(credit.reason).toLowerCase()}
              {outcome.reason && <> — “{outcome.reason}”</>}
            </Alert>
          );
        })}
      </Stack>
    </Box>
  );
};

/** Your requests a lead has yet to decide, newest first, with why each waits. */
const WaitingForApproval = ({ staffId }: { staffId: string }) => (
  <ListBase
    resource="credits"
    filter={{ requested_by: staffId, status: 'pending_approval' }}
    sort={{ field: 'created_at', order: 'DESC' }}
    perPage={25}
    disableSyncWithLocation
    storeKey={false}
    queryOptions={{ refetchInterval: LIVE_REFRESH_MS }}
  >
    <ListLoadError what="your requests waiting for approval">
      <TableFrame>
        <DataTable<CreditRecord>
          bulkActionButtons={false}
          rowClick={false}
          aria-label="Your requests waiting for approval"
          empty={<EmptyState title="Nothing of yours waits for approval." hint="Credits above your limits wait here until a lead decides." />}
        >
          <DataTable.Col<CreditRecord> source="created_at" label="Requested" disableSort render={credit => <DateTimeText value={credit.created_at} short noWrap />} />
          <DataTable.Col<CreditRecord> source="id" label="Credit" disableSort render={credit => <CreditLink credit={credit} />} />
          <DataTable.Col<CreditRecord> source="customer_id" label="Customer" disableSort render={credit => <CustomerName credit={credit} />} />
          <DataTable.Col<CreditRecord> source="amount" label="Tokens" align="right" disableSort render={credit => <TokenAmount value={credit.amount} />} />
          <DataTable.Col<CreditRecord> source="approval_reasons" label="Why it waits" disableSort render={credit => credit.approval_reasons.join('; ') || '—'} />
        </DataTable>
      </TableFrame>
    </ListLoadError>
  </ListBase>
);

/** Your latest credits with where each stands: its status and its delivery to the customer's account. */
const RecentCredits = ({ staffId }: { staffId: string }) => {
  const { configured = true } = useStudioDelivery();
  return (
    <ListBase
      resource="credits"
      filter={{ requested_by: staffId }}
      sort={{ field: 'created_at', order: 'DESC' }}
      perPage={RECENT_SHOWN}
      disableSyncWithLocation
      storeKey={false}
      queryOptions={{ refetchInterval: LIVE_REFRESH_MS }}
    >
      <ListLoadError what="your recent credits">
        <TableFrame>
          <DataTable<CreditRecord>
            bulkActionButtons={false}
            rowClick={false}
            aria-label="Your recent credits"
            empty={<EmptyState title="You have not requested a credit yet." hint="Look up a ticket’s chat, select its runs and credit them." />}
          >
            <DataTable.Col<CreditRecord> source="created_at" label="Requested" disableSort render={credit => <DateTimeText value={credit.created_at} short noWrap />} />
            <DataTable.Col<CreditRecord> source="id" label="Credit" disableSort render={credit => <CreditLink credit={credit} />} />
            <DataTable.Col<CreditRecord> source="customer_id" label="Customer" disableSort render={credit => <CustomerName credit={credit} />} />
            <DataTable.Col<CreditRecord> source="amount" label="Tokens" align="right" disableSort render={credit => <TokenAmount value={credit.amount} />} />
            <DataTable.Col<CreditRecord> source="status" label="Status" disableSort render={credit => <CreditStatusChip status={credit.status} />} />
            <DataTable.Col<CreditRecord>
              source="delivery"
              label="Delivery"
              disableSort
              render={credit => <DeliveryChip credit={credit} configured={configured} />}
            />
          </DataTable>
        </TableFrame>
      </ListLoadError>
    </ListBase>
  );
};

/** The signed-in person's own credits: decisions since their last look, requests waiting, the latest ones. */
export const YourCredits = ({ staffId }: { staffId: string }) => {
  const titleId = useId();
  return (
    <Card component="section" aria-labelledby={titleId}>
      <CardContent>
        <Box sx={{ display: 'flex', alignItems: 'baseline', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap', mb: 2 }}>
          <Typography id={titleId} variant="h6" component="h2">
            Your credits
          </Typography>
          <Link to={creditListPath({ requested_by: staffId })}>All your credits</Link>
        </Box>
        <Stack spacing={3}>
          <DecidedSinceLastLook staffId={staffId} />
          <Box>
            <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 500, mb: 1 }}>
              Waiting for approval
            </Typography>
            <WaitingForApproval staffId={staffId} />
          </Box>
          <Box>
            <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 500, mb: 1 }}>
              Latest
            </Typography>
            <RecentCredits staffId={staffId} />
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
};
