import AddCard from '@mui/icons-material/AddCard';
import { Button, Typography } from '@mui/material';
import { DataTable, Link, List, ReferenceField, TextInput } from 'react-admin';
import type { GenerationRecord } from '../../shared/records.ts';
import { creditCreatePath } from '../credits/creditPaths.ts';
import { CreditSelectedRunsButton } from '../credits/CreditSelectedRunsButton.tsx';
import { DayFilterInput } from '../credits/DayFilterInput.tsx';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { EmptyState } from '../display/EmptyState.tsx';
import { RecordLink } from '../display/RecordLink.tsx';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { TableFrame } from '../display/TableFrame.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { missingRefundFilter, missingRefundSort } from './missingRefundModel.ts';
import { ListPagination } from '../lists/ListPagination.tsx';

const filters = [
  <TextInput key="tool" source="tool" label="Tool" alwaysOn />,
  <TextInput key="customer_id" source="customer_id" label="Customer id" alwaysOn />,
  <DayFilterInput key="started_at_gte" source="started_at_gte" label="Started from" edge="gte" />,
  <DayFilterInput key="started_at_lte" source="started_at_lte" label="Started to" edge="lte" />,
];

/** The run's error, code first (what the studio's engineers search for), then its message. */
const RunError = ({ run }: { run: GenerationRecord }) => (
  <span>
    {run.error_code ?? 'No error code'}
    {run.error_message && (
      <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
        {run.error_message}
      </Typography>
    )}
  </span>
);

/** One click to the credit form for this run; the form picks "Missed auto-refund", the only reason that fits. */
const CreditMissedRefundButton = ({ run }: { run: GenerationRecord }) => (
  <Button
    component={Link}
    to={creditCreatePath({ runs: [run.id] })}
    size="small"
    variant="outlined"
    startIcon={<AddCard />}
    aria-label={`Credit the missed refund of run ${run.id}`}
    sx={{ whiteSpace: 'nowrap' }}
  >
    Credit missed refund
  </Button>
);

/**
 * Every run whose auto-refund never came, across customers, oldest first: the runs list with the
 * `refund_missing` filter fixed, so its count and rows are the server's, not the console's.
 */
export const MissingRefundQueue = () => (
  <List
    resource="generations"
    storeKey="missingRefunds"
    title="Missing refunds"
    filter={missingRefundFilter}
    filters={filters}
    sort={missingRefundSort}
    perPage={25}
    exporter={false}
    empty={false}
    pagination={<ListPagination />}
  >
    <Typography color="text.secondary" sx={{ px: 2, pt: 2 }}>
      Failed runs that were charged and never refunded automatically after the grace period, oldest first. Each is owed back in
      full: credit it with the reason “Missed auto-refund”. If the studio’s refund arrives after all, the credit is voided
      automatically.
    </Typography>
    <ListLoadError what="the missing refunds">
      <TableFrame>
        <DataTable<GenerationRecord>
          rowClick={false}
          bulkActionButtons={<CreditSelectedRunsButton />}
          empty={<EmptyState title="No missing refund." hint="Every failed, charged run was refunded automatically, or is already credited." />}
        >
          <DataTable.Col<GenerationRecord>
            source="finished_at"
            label="Failed at"
            disableSort
            render={run => <DateTimeText value={run.finished_at} missing="not recorded" noWrap />}
          />
          <DataTable.Col<GenerationRecord>
            source="customer_id"
            label="Customer"
            disableSort
            render={() => <ReferenceField<GenerationRecord> source="customer_id" reference="customers" link="show" sx={{ whiteSpace: 'nowrap' }} />}
          />
          <DataTable.Col<GenerationRecord> source="tool" label="Tool" disableSort />
          <DataTable.Col<GenerationRecord>
            source="tokens_charged"
            label="Charged"
            align="right"
            disableSort
            render={run => <TokenAmount value={run.tokens_charged} />}
          />
          <DataTable.Col<GenerationRecord> source="error_code" label="Error" disableSort render={run => <RunError run={run} />} />
          <DataTable.Col<GenerationRecord> label="Fix" disableSort render={run => <CreditMissedRefundButton run={run} />} />
          <DataTable.Col<GenerationRecord>
            source="id"
            label="Run"
            disableSort
            render={run => <RecordLink resource="generations" id={run.id} />}
          />
          <DataTable.Col<GenerationRecord>
            source="chat_id"
            label="Chat"
            disableSort
            render={run => <RecordLink resource="chats" id={run.chat_id} />}
          />
          <DataTable.Col<GenerationRecord> source="started_at" label="Started" render={run => <DateTimeText value={run.started_at} noWrap />} />
        </DataTable>
      </TableFrame>
    </ListLoadError>
  </List>
);
