import { Box, Chip, Stack, Typography } from '@mui/material';
import { Link } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { creditReasonLabel } from '../credits/creditModel.ts';
import { creditShowPath } from '../credits/creditPaths.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { formatTokenCount } from '../display/format.ts';
import { anomalyRuleCounts, anomalyRuleLabel, type Period } from './dashboardModel.ts';
import { ReportCard } from './ReportCard.tsx';
import { useAnomalies } from './useReports.ts';

const FlaggedCredit = ({ credit }: { credit: CreditRecord }) => (
  <Box component="li" sx={{ py: 1.5, borderTop: 1, borderColor: 'divider' }}>
    <Typography component="div">
      <Link to={creditShowPath(credit.id)}>Credit {credit.id}</Link>
      {' · '}
      {formatTokenCount(credit.amount)} · {creditReasonLabel(credit.reason)} · requested by {credit.requested_by_name ?? credit.requested_by} for{' '}
      {credit.customer_name ?? credit.customer_id} · <DateTimeText value={credit.created_at} />
    </Typography>
    <Box component="ul" sx={{ m: 0, mt: 0.5, pl: 2.5 }}>
      {credit.anomalies.map(flag => (
        <Typography component="li" variant="body2" key={`${flag.rule}-${flag.message}`}>
          <strong>{anomalyRuleLabel(flag.rule)}:</strong> {flag.message}
        </Typography>
      ))}
    </Box>
  </Box>
);

/** The period's credits that an anomaly rule flagged, each flag explained in words, each credit one click away. */
export const AnomaliesPanel = ({ period }: { period: Period }) => {
  const query = useAnomalies(period);
  const credits = query.data?.rows ?? [];
  return (
    <ReportCard
      title="Anomalies"
      description="Credits requested in the period that deserve a second look: an agent far above their usual volume, repeated credits to one customer within 30 days, a run refunded another way too, an amount just under the approval threshold. A flag refuses nothing."
      query={query}
      isEmpty={credits.length === 0}
      empty={{ title: 'No credit in this period was flagged.', hint: 'Pick a longer period to look further back.' }}
    >
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', mb: 1 }}>
        <Chip label={`${credits.length} flagged ${credits.length === 1 ? 'credit' : 'credits'}`} color="warning" />
        {anomalyRuleCounts(credits).map(({ rule, count }) => (
          <Chip key={rule} label={`${anomalyRuleLabel(rule)}: ${count}`} variant="outlined" />
        ))}
      </Stack>
      <Box component="ul" aria-label="Flagged credits" sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {credits.map(credit => (
          <FlaggedCredit key={credit.id} credit={credit} />
        ))}
      </Box>
    </ReportCard>
  );
};
