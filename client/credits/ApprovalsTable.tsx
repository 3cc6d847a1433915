import { Box, Stack, Typography } from '@mui/material';
import { useMemo } from 'react';
import { DataTable, Link, ListContextProvider, useGetMany, useListContext } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { formatAge } from '../display/relativeTime.ts';
import { useNow } from '../display/useNow.ts';
import { EmptyState } from '../display/EmptyState.tsx';
import { formatTokenCount } from '../display/format.ts';
import { TableFrame } from '../display/TableFrame.tsx';
import { RunThumbnails } from '../generations/RunThumbnails.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { CreditDecisionButtons } from './CreditDecisionButtons.tsx';
import { creditReasonLabel } from './creditModel.ts';
import { creditShowPath } from './creditPaths.ts';
import { RunOutputsProvider } from './RunOutputs.tsx';
import { TicketRef } from '../display/TicketRef.tsx';

/** Runs whose outputs a queue row shows; the credit's page shows them all. */
const runsShownPerRow = 2;

/** What the credit's first runs produced, so the lead sees the case without opening it. */
const CreditOutputs = ({ credit, runs }: { credit: CreditRecord; runs: Map<string, GenerationRecord> }) => {
  const shown = credit.items.slice(0, runsShownPerRow).flatMap(item => runs.get(item.generation_id) ?? []);
  const more = credit.items.length - shown.length;
  if (credit.items.length === 0) return null;
  return (
    <Stack spacing={0.5}>
      {shown.map(run => (
        <RunThumbnails key={run.id} run={run} />
      ))}
      {more > 0 && (
        <Typography variant="caption" color="text.secondary">
          +{more} more {more === 1 ? 'run' : 'runs'} on the credit’s page
        </Typography>
      )}
    </Stack>
  );
};

/**
 * The approval queue's rows: who asked when, what for, why it waits, and the decision, in five
 * columns that wrap their text, so Approve and Reject stay in view without scrolling sideways on
 * a 1280 px screen. The runs' outputs of the whole page load in one request.
 */
export const ApprovalsTable = ({ empty }: { empty: { title: string; hint: string } }) => {
  const creditsList = useListContext<CreditRecord>();
  // How long each credit has waited, kept current while the queue is open.
  const now = useNow(60_000);
  const runIds = useMemo(
    () => [...new Set((creditsList.data ?? []).flatMap(credit => credit.items.slice(0, runsShownPerRow).map(item => item.generation_id)))],
    [creditsList.data],
  );
  const { data: runRecords } = useGetMany<GenerationRecord>('generations', { ids: runIds }, { enabled: runIds.length > 0 });
  const runs = useMemo(() => new Map((runRecords ?? []).map(run => [String(run.id), run])), [runRecords]);
  return (
    <RunOutputsProvider runs={runRecords ?? []}>
      {/* The outputs' loader reads the runs from a list context of its own: give the table back the credits'. */}
      <ListContextProvider value={creditsList}>
        <TableFrame>
          <DataTable<CreditRecord> bulkActionButtons={false} rowClick={false} empty={<EmptyState {...empty} />} sx={{ '& td': { verticalAlign: 'top' } }}>
            <DataTable.Col<CreditRecord>
              source="created_at"
              label="Requested"
              render={credit => (
                <Stack spacing={0.25}>
                  <DateTimeText value={credit.created_at} short noWrap />
                  <Typography variant="body2" color="text.secondary">
                    by {credit.requested_by_name ?? credit.requested_by}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    waiting {formatAge(credit.created_at, now)}
                  </Typography>
                </Stack>
              )}
            />
            <DataTable.Col<CreditRecord>
              source="amount"
              label="Credit"
              disableSort
              render={credit => (
                <Stack spacing={0.5} sx={{ minWidth: 160, maxWidth: 240 }}>
                  <Typography variant="body2">
                    <strong>{formatTokenCount(credit.amount)}</strong> · {creditReasonLabel(credit.reason)}
                  </Typography>
                  <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
                    <Link to={creditShowPath(credit.id)}>{credit.id}</Link>
                  </Typography>
                  <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                    Ticket <TicketRef reference={credit.ticket_ref} /> · {credit.items.length === 0 ? 'no runs (goodwill)' : `${credit.items.length} ${credit.items.length === 1 ? 'run' : 'runs'}`}
                  </Typography>
                  <CreditOutputs credit={credit} runs={runs} />
                </Stack>
              )}
            />
            <DataTable.Col<CreditRecord>
              source="customer_id"
              label="Customer"
              disableSort
              render={credit => (
                <Box sx={{ overflowWrap: 'anywhere', minWidth: 90 }}>
                  <Link to={showPath('customers', credit.customer_id)}>{credit.customer_name ?? credit.customer_id}</Link>
                </Box>
              )}
            />
            <DataTable.Col<CreditRecord>
              source="approval_reasons"
              label="Why it waits"
              disableSort
              render={credit => (
                <Stack spacing={0.5} sx={{ minWidth: 200 }}>
                  {credit.approval_reasons.length > 0 ? (
                    credit.approval_reasons.map(reason => (
                      <Typography key={reason} variant="body2">
                        {reason}
                      </Typography>
                    ))
                  ) : (
                    <Typography variant="body2">—</Typography>
                  )}
                  {credit.anomalies.map(anomaly => (
                    <Typography key={anomaly.rule} variant="body2" color="warning.dark">
                      {anomaly.message}
                    </Typography>
                  ))}
                </Stack>
              )}
            />
            <DataTable.Col<CreditRecord>
              label="Decision"
              disableSort
              render={credit => (
                // Dialogs render in a portal, but their clicks still bubble to the row through React.
                <Box onClick={event => event.stopPropagation()} sx={{ minWidth: 120 }}>
                  <CreditDecisionButtons credit={credit} />
                </Box>
              )}
            />
          </DataTable>
        </TableFrame>
      </ListContextProvider>
    </RunOutputsProvider>
  );
};
