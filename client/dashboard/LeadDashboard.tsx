import { Alert, Box, Card, CardContent, Grid, Stack, Typography } from '@mui/material';
import { useMemo } from 'react';
import { Title, useLocation, useNavigate, usePermissions } from 'react-admin';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { AnomaliesPanel } from './AnomaliesPanel.tsx';
import { CreditReportCard } from './CreditReportCard.tsx';
import { periodChoiceSearch, periodOf, readPeriodChoice } from './dashboardModel.ts';
import { PeriodPicker } from './PeriodPicker.tsx';
import { RefundHealthCard } from './RefundHealthCard.tsx';
import { StudioDeliveryCard } from './StudioDeliveryCard.tsx';

const Reports = () => {
  const location = useLocation();
  const navigate = useNavigate();
  const choice = readPeriodChoice(location.search);
  // A preset ends "today": worked out once per choice, so the reports' cache keys stay put while the page is open.
  const period = useMemo(() => periodOf(readPeriodChoice(location.search), new Date()), [location.search]);
  return (
    <Stack spacing={2} sx={{ mt: 2, mb: 4 }}>
      <Card>
        <CardContent>
          <Typography variant="h5" component="h2" gutterBottom>
            Lead dashboard
          </Typography>
          <PeriodPicker key={location.search} choice={choice} period={period} onChange={next => navigate({ search: periodChoiceSearch(next) })} />
        </CardContent>
      </Card>
      <StudioDeliveryCard />
      <CreditReportCard group="day" period={period} />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 6 }}>
          <CreditReportCard group="agent" period={period} />
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <CreditReportCard group="reason" period={period} />
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <CreditReportCard group="tool" period={period} />
        </Grid>
        <Grid size={{ xs: 12, lg: 6 }}>
          <RefundHealthCard period={period} />
        </Grid>
      </Grid>
      <AnomaliesPanel period={period} />
    </Stack>
  );
};

/**
 * The lead dashboard (issue 6): delivery to the studio now; credits per day, agent, reason and
 * tool; refund health per tool; anomalies. Every bar and figure opens the list behind it. Loaded
 * on first visit with the charts.
 */
export const LeadDashboard = () => {
  const { permissions: role, isPending } = usePermissions<Role>();
  return (
    <Box>
      <Title title="Dashboard" />
      {isPending ? null : role && isLeadOrAdmin(role) ? (
        <Reports />
      ) : (
        <Alert severity="info" sx={{ mt: 2 }}>
          The dashboard is for leads and admins.
        </Alert>
      )}
    </Box>
  );
};
