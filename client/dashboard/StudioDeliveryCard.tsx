import Replay from '@mui/icons-material/Replay';
import { Alert, AlertTitle, Button, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useDataProvider, useNotify, usePermissions } from 'react-admin';
import type { StudioDeliveryReport } from '../../shared/delivery.ts';
import type { Role } from '../../shared/roles.ts';
import { deliveryConfigured, retryFailureMessage } from '../credits/deliveryModel.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { Fact, FactList } from '../display/Fact.tsx';
import { formatTokens } from '../display/format.ts';
import { ageAt, deliveryAttentionText, deliveryChannelsText, deliveryCountRows } from './dashboardModel.ts';
import { ReportCard } from './ReportCard.tsx';
import { studioDeliveryReportKey, useStudioDeliveryReport } from './useReports.ts';

/** Admins: every given-up delivery due again now, then the report as it stands after. */
const RetryGivenUpButton = ({ givenUp }: { givenUp: number }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { mutate, isPending } = useMutation({
    mutationFn: () => dataProvider.retryGivenUpDeliveries(),
    onSuccess: ({ retried }) => {
      notify(`${formatTokens(retried)} given-up ${retried === 1 ? 'delivery is' : 'deliveries are'} being sent again.`, { type: 'success' });
      void queryClient.invalidateQueries({ queryKey: studioDeliveryReportKey });
    },
    onError: error => notify(retryFailureMessage(error), { type: 'error' }),
  });
  return (
    <Button size="small" variant="contained" color="warning" startIcon={<Replay />} onClick={() => mutate()} disabled={isPending}>
      {isPending ? 'Retrying…' : `Retry all given-up (${formatTokens(givenUp)})`}
    </Button>
  );
};

const DeliveryFigures = ({ report, now }: { report: StudioDeliveryReport; now: Date }) => {
  const { permissions: role } = usePermissions<Role>();
  const attention = deliveryAttentionText(report, now);
  const configured = deliveryConfigured(report);
  // Something given up always needs attention, so the admin's retry lives in the warning.
  const retryAll = role === 'admin' && report.counts.given_up > 0 ? <RetryGivenUpButton givenUp={report.counts.given_up} /> : undefined;
  return (
    <>
      {attention && (
        <Alert severity="warning" sx={{ mb: 2 }} action={retryAll}>
          <AlertTitle>{attention}</AlertTitle>
          Customers do not have these tokens yet. Open a credit to see why, or retry it from its page.
        </Alert>
      )}
      {!configured && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          Nothing can reach the studio: neither the push (STUDIO_WEBHOOK_URL) nor the feed (STUDIO_FEED_TOKEN) is configured.
        </Alert>
      )}
      <Typography sx={{ mb: 1 }}>{deliveryChannelsText(report)}</Typography>
      <Table size="small" aria-label="Credit events by delivery state" sx={{ mb: 2, maxWidth: 360 }}>
        <TableHead>
          <TableRow>
            <TableCell>State</TableCell>
            <TableCell align="right">Events</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {deliveryCountRows(report.counts).map(row => (
            <TableRow key={row.state}>
              <TableCell>{row.label}</TableCell>
              <TableCell align="right">
                {row.count > 0 ? (
                  <Link to={row.href} aria-label={`${row.label}: ${row.count} events, open their credits`}>
                    {formatTokens(row.count)}
                  </Link>
                ) : (
                  '0'
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <FactList minWidth={220}>
        <Fact term="Oldest undelivered">
          {report.oldest_undelivered_at ? (
            <>
              {ageAt(report.oldest_undelivered_at, now)} ago, since <DateTimeText value={report.oldest_undelivered_at} />
            </>
          ) : (
            'Nothing waiting'
          )}
        </Fact>
        <Fact term="Last delivered">
          <DateTimeText value={report.last_delivered_at} missing="Never" />
        </Fact>
        <Fact term="Last error">{report.last_error ?? 'None'}</Fact>
      </FactList>
    </>
  );
};

/**
 * The lead dashboard's "Studio delivery" card: whether credits reach customers' accounts now,
 * whatever the period picked. It turns into a warning when the shared rule says a lead should act
 * (something given up, or failing for over 15 minutes); admins can send every given-up event again.
 */
export const StudioDeliveryCard = () => {
  const query = useStudioDeliveryReport();
  // "Now" is when the figures arrived: the warning judges the report it shows.
  const now = new Date(query.dataUpdatedAt || Date.now());
  return (
    <ReportCard
      title="Studio delivery"
      description="Credit events on their way to the customers’ accounts in the studio, now (not limited to the period). Each count opens the credits behind it."
      query={query}
    >
      {query.data && <DeliveryFigures report={query.data} now={now} />}
    </ReportCard>
  );
};
