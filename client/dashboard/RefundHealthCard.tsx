import { Table, TableBody, TableCell, TableHead, TableRow, Typography, useTheme } from '@mui/material';
import { Link, useNavigate } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTokens } from '../display/format.ts';
import { TableFrame } from '../display/TableFrame.tsx';
import {
  autoRefundedRunsPath,
  failedRunsPath,
  formatRate,
  missingRefundsBehindBar,
  type Period,
  type RefundRow,
} from './dashboardModel.ts';
import { ReportCard, SizedChart } from './ReportCard.tsx';
import { useRefundReport } from './useReports.ts';

/** A count that opens the runs behind it, or a plain zero. */
const CountLink = ({ count, to, label }: { count: number; to: string; label: string }) =>
  count > 0 ? (
    <Link to={to} aria-label={label}>
      {formatTokens(count)}
    </Link>
  ) : (
    <>0</>
  );

/** Failed runs by tool, whether the studio refunded them, and the refunds still missing. */
export const RefundHealthCard = ({ period }: { period: Period }) => {
  const query = useRefundReport(period);
  const navigate = useNavigate();
  const theme = useTheme();
  const rows = query.data?.rows ?? [];
  const onBar = (path: (tool: string, period: Period) => string) => (entry: { payload?: RefundRow }) => {
    if (entry.payload) navigate(path(entry.payload.tool, period));
  };
  return (
    <ReportCard
      title="Refund health per tool"
      description="Failed runs started in the period, how many the studio refunded automatically, and the refunds still missing after the grace period. Click a bar for its runs; a missing-refund bar opens the queue for that tool."
      query={query}
      isEmpty={rows.length === 0}
      empty={{ title: 'No run failed in this period.', hint: 'Pick a longer period.' }}
    >
      <SizedChart>
        {width => (
          <BarChart width={width} height={260} data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="tool" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="failed" name="Failed" fill={theme.palette.grey[500]} isAnimationActive={false} onClick={onBar(failedRunsPath)} />
            <Bar
              dataKey="auto_refunded"
              name="Auto-refunded"
              fill={theme.palette.success.main}
              isAnimationActive={false}
              onClick={onBar(autoRefundedRunsPath)}
            />
            <Bar
              dataKey="refund_missing"
              name="Refund missing"
              fill={theme.palette.error.main}
              isAnimationActive={false}
              onClick={onBar(missingRefundsBehindBar)}
            />
          </BarChart>
        )}
      </SizedChart>
      <TableFrame>
        <Table size="small" aria-label="Refund health per tool: figures" sx={{ '& .MuiTableCell-root': { px: 0.75 } }}>
          <TableHead>
            <TableRow>
              <TableCell>Tool</TableCell>
              <TableCell align="right">Failed</TableCell>
              <TableCell align="right">Not charged</TableCell>
              <TableCell align="right">Auto-refunded</TableCell>
              <TableCell align="right">Pending</TableCell>
              <TableCell align="right">Missing</TableCell>
              <TableCell align="right">Rate</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.tool}>
                <TableCell>{row.tool}</TableCell>
                <TableCell align="right">
                  <CountLink count={row.failed} to={failedRunsPath(row.tool, period)} label={`${row.failed} failed ${row.tool} runs`} />
                </TableCell>
                <TableCell align="right">{formatTokens(row.not_charged)}</TableCell>
                <TableCell align="right">
                  <CountLink
                    count={row.auto_refunded}
                    to={autoRefundedRunsPath(row.tool, period)}
                    label={`${row.auto_refunded} auto-refunded ${row.tool} runs`}
                  />
                </TableCell>
                <TableCell align="right">{formatTokens(row.refund_pending)}</TableCell>
                <TableCell align="right">
                  <CountLink
                    count={row.refund_missing}
                    to={missingRefundsBehindBar(row.tool, period)}
                    label={`${row.refund_missing} missing refunds of ${row.tool} runs`}
                  />
                </TableCell>
                <TableCell align="right">{formatRate(row.auto_refund_rate)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableFrame>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        Rate: the share of charged failed runs the studio refunded automatically.
      </Typography>
    </ReportCard>
  );
};
