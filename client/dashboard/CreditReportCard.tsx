import { Box, Button, Collapse, Table, TableBody, TableCell, TableHead, TableRow, Typography, useTheme } from '@mui/material';
import { useState } from 'react';
import { Link, useNavigate } from 'react-admin';
import { Bar, BarChart, CartesianGrid, ComposedChart, LabelList, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { creditReasonLabel } from '../credits/creditModel.ts';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { formatTokens } from '../display/format.ts';
import { barListIsExact, creditsBehindBar, dailySeries, type CreditGroup, type Period, type ReportRow } from './dashboardModel.ts';
import { ReportCard, SizedChart } from './ReportCard.tsx';
import { useCreditReport } from './useReports.ts';

const titles: Record<CreditGroup, { title: string; column: string; description: string }> = {
  day: {
    title: 'Credits per day',
    column: 'Day (UTC)',
    description: 'Applied credits (net of voids) requested each UTC day: tokens as bars, number of credits as the line. Click a bar for that day’s credits.',
  },
  agent: {
    title: 'Credits per agent',
    column: 'Requested by',
    description: 'Applied credits by the person who requested them. Click a bar for their credits in the period.',
  },
  reason: {
    title: 'Credits per reason',
    column: 'Reason',
    description: 'Applied credits by reason. Click a bar for those credits in the period.',
  },
  tool: {
    title: 'Credits per tool',
    column: 'Tool',
    description:
      'Tokens returned for runs of each tool; a credit covering several tools counts once for each. The credits list cannot narrow to a tool yet: a tool’s bar opens every applied credit of the period.',
  },
};

/** The words a row is shown with: reasons in words, days as they are. */
const rowLabel = (group: CreditGroup, row: ReportRow): string => (group === 'reason' ? creditReasonLabel(row.key) : row.label);

type Shown = ReportRow & { name: string; href: string };

/** The same figures as the chart, each linked to its list: the chart's keyboard and screen-reader twin. */
const FiguresTable = ({ group, rows }: { group: CreditGroup; rows: Shown[] }) => (
  <Table size="small" aria-label={`${titles[group].title}: figures`}>
    <TableHead>
      <TableRow>
        <TableCell>{titles[group].column}</TableCell>
        <TableCell align="right">Credits</TableCell>
        <TableCell align="right">Tokens</TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {rows.map(row => (
        <TableRow key={row.key}>
          <TableCell>
            <Link to={row.href}>{row.name}</Link>
            {!barListIsExact(group, row.key) && (
              <Typography component="span" variant="body2" color="text.secondary">
                {' '}
                (all credits of the period)
              </Typography>
            )}
          </TableCell>
          <TableCell align="right">{formatTokens(row.count)}</TableCell>
          <TableCell align="right">
            <TokenAmount value={row.tokens} />
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const DayChart = ({ rows, onBar }: { rows: Shown[]; onBar: (row: Shown) => void }) => {
  const theme = useTheme();
  return (
    <SizedChart>
      {width => (
        <ComposedChart width={width} height={260} data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="key" tickFormatter={(day: string) => day.slice(5)} minTickGap={12} />
          <YAxis yAxisId="tokens" allowDecimals={false} tickFormatter={formatTokens} />
          <YAxis yAxisId="count" orientation="right" allowDecimals={false} />
          <Tooltip formatter={(value: unknown) => formatTokens(Number(value))} />
          <Legend />
          <Bar
            yAxisId="tokens"
            dataKey="tokens"
            name="Tokens"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
            onClick={(entry: { payload?: Shown }) => entry.payload && onBar(entry.payload)}
          />
          <Line yAxisId="count" dataKey="count" name="Credits" type="linear" stroke={theme.palette.secondary.main} dot={{ r: 2 }} isAnimationActive={false} />
        </ComposedChart>
      )}
    </SizedChart>
  );
};

const GroupChart = ({ rows, onBar }: { rows: Shown[]; onBar: (row: Shown) => void }) => {
  const theme = useTheme();
  const click = (entry: { payload?: Shown }) => entry.payload && onBar(entry.payload);
  return (
    <SizedChart>
      {width => (
        <BarChart
          width={width}
          height={Math.max(140, rows.length * 56 + 48)}
          data={rows}
          layout="vertical"
          margin={{ top: 8, right: 48, bottom: 8, left: 8 }}
          accessibilityLayer={false}
        >
          <YAxis type="category" dataKey="name" width={150} />
          {/* Each bar carries its figure, so the value axes stay out of the way. */}
          <XAxis xAxisId="tokens" type="number" hide />
          <XAxis xAxisId="count" type="number" hide />
          <Tooltip formatter={(value: unknown) => formatTokens(Number(value))} />
          <Legend verticalAlign="top" />
          <Bar xAxisId="tokens" dataKey="tokens" name="Tokens" fill={theme.palette.primary.main} isAnimationActive={false} onClick={click}>
            <LabelList dataKey="tokens" position="right" formatter={(value: unknown) => formatTokens(Number(value))} />
          </Bar>
          <Bar xAxisId="count" dataKey="count" name="Credits" fill={theme.palette.secondary.light} isAnimationActive={false} onClick={click}>
            <LabelList dataKey="count" position="right" />
          </Bar>
        </BarChart>
      )}
    </SizedChart>
  );
};

/** One of the four credit reports (per day, agent, reason, tool) as a chart whose bars open the credits behind them. */
export const CreditReportCard = ({ group, period }: { group: CreditGroup; period: Period }) => {
  const query = useCreditReport(group, period);
  const navigate = useNavigate();
  const [tableShown, setTableShown] = useState(false);
  const serverRows = query.data?.rows ?? [];
  const shown = (row: ReportRow): Shown => ({ ...row, name: rowLabel(group, row), href: creditsBehindBar(group, row.key, period) });
  const open = (row: Shown) => navigate(row.href);
  const { title, description } = titles[group];
  return (
    <ReportCard
      title={title}
      description={description}
      query={query}
      isEmpty={serverRows.length === 0}
      empty={{ title: 'No credit was applied in this period.', hint: 'Pick a longer period.' }}
    >
      {group === 'day' ? (
        <>
          <DayChart rows={dailySeries(serverRows, period).map(shown)} onBar={open} />
          <Box sx={{ mt: 1 }}>
            <Button size="small" aria-expanded={tableShown} onClick={() => setTableShown(current => !current)}>
              {tableShown ? 'Hide the figures' : 'Show the figures as a table'}
            </Button>
            <Collapse in={tableShown} unmountOnExit>
              <FiguresTable group={group} rows={serverRows.map(shown)} />
            </Collapse>
          </Box>
        </>
      ) : (
        <>
          <GroupChart rows={serverRows.map(shown)} onBar={open} />
          <FiguresTable group={group} rows={serverRows.map(shown)} />
        </>
      )}
    </ReportCard>
  );
};
