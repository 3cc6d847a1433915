import { Alert, Button, Card, CardContent, Skeleton, Stack } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useDataProvider, useGetIdentity, useGetList, useGetMany, useGetOne, usePermissions, useUnselectAll } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import type { Role } from '../../shared/roles.ts';
import { apiErrorMessage, readApiRefusal } from '../apiErrors.ts';
import { CustomerHeader } from '../customers/CustomerHeader.tsx';
import type { AppDataProvider, CreditAnswer } from '../dataProvider.ts';
import type { TicketContext } from '../lookup/ticketContext.ts';
import { CreditForm } from './CreditForm.tsx';
import { dailyCreditTotal, utcDayStart } from './creditModel.ts';

const unanswered = 'Token Desk did not answer.';

/** What the outcome screen needs from the case once the server has answered. */
export interface SettledCredit {
  answer: CreditAnswer;
  runTimes: string[];
  chatId: string | null;
}

/** The runs' start times, for the reply's "the run of March 3". */
const startTimes = (generations: Map<string, GenerationRecord>, ids: string[]) =>
  ids.flatMap(id => {
    const run = generations.get(id);
    return run ? [run.started_at] : [];
  });

/**
 * The loaded case: the customer, their runs' eligibility, the policy and what the agent credited
 * today, then the form. After a refusal the balance and the eligibility are asked again, so the
 * form and its review show them as they are now.
 */
export const CreditCase = ({
  runIds,
  goodwillCustomerId,
  ticket,
  onSettled,
}: {
  runIds: string[];
  goodwillCustomerId: string | null;
  ticket: TicketContext;
  onSettled: (settled: SettledCredit) => void;
}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const goodwill = runIds.length === 0;
  const eligibility = useQuery({
    queryKey: ['credits', 'eligibility', runIds],
    queryFn: () => dataProvider.eligibility(runIds),
    enabled: !goodwill,
    retry: false,
  });
  const runs = useMemo(() => eligibility.data?.runs ?? [], [eligibility.data]);
  const customerIds = [...new Set(runs.map(run => run.customer_id))];
  const customerId = goodwillCustomerId ?? (customerIds.length === 1 ? customerIds[0] : null);
  const customerQuery = useGetOne<CustomerRecord>('customers', { id: customerId ?? '' }, { enabled: customerId != null });
  const { data: runRecords } = useGetMany<GenerationRecord>('generations', { ids: runIds }, { enabled: !goodwill });
  const generations = useMemo(() => new Map((runRecords ?? []).map(run => [String(run.id), run])), [runRecords]);
  const policy = useQuery({ queryKey: ['policy'], queryFn: () => dataProvider.getPolicy(), retry: false });
  const { permissions: role } = usePermissions<Role>();
  const { identity } = useGetIdentity();
  const dayStart = useMemo(() => utcDayStart(new Date()), []);
  const today = useGetList<CreditRecord>(
    'credits',
    { filter: { requested_by: identity?.id, created_at_gte: dayStart }, pagination: { page: 1, perPage: 500 }, sort: { field: 'created_at', order: 'DESC' } },
    { enabled: role === 'agent' && identity != null },
  );
  const todayTotal = today.data && (today.total ?? 0) <= today.data.length ? dailyCreditTotal(today.data) : null;
  const unselectRuns = useUnselectAll('generations');

  if (!goodwill && eligibility.isPending) return <Skeleton variant="rounded" height={240} aria-label="Loading the runs’ eligibility" />;
  if (!goodwill && eligibility.error) {
    const notFound = readApiRefusal(eligibility.error)?.status === 404;
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => eligibility.refetch()}>
            Retry
          </Button>
        }
      >
        Could not load the runs’ eligibility: {apiErrorMessage(eligibility.error, unanswered)}
        {notFound ? ' Check the run ids, or select the runs again from the chat review.' : ''}
      </Alert>
    );
  }
  if (customerId == null) {
    return <Alert severity="error">These runs belong to {customerIds.length} customers. One credit is for one customer: select the runs of one customer.</Alert>;
  }

  const customer = customerQuery.data;
  const chatIds = [...new Set(runs.map(run => run.chat_id))];
  return (
    <Stack spacing={2}>
      <Card variant="outlined">
        <CardContent>
          {customer ? (
            <CustomerHeader customer={customer} linkToCustomer />
          ) : customerQuery.error ? (
            <Alert severity="error">
              Could not load customer {customerId}: {apiErrorMessage(customerQuery.error, unanswered)}
            </Alert>
          ) : (
            <Skeleton variant="rounded" height={96} aria-label="Loading the customer" />
          )}
        </CardContent>
      </Card>
      {policy.error && (
        <Alert severity="info">The credit policy could not be loaded; the server still decides whether the credit applies at once.</Alert>
      )}
      <CreditForm
        runs={runs}
        suggestedTotal={eligibility.data?.suggested_total ?? 0}
        goodwill={goodwill}
        ticket={ticket}
        customerId={customerId}
        customer={customer}
        generations={generations}
        forecastInput={{ policy: policy.data, role: role ?? 'agent', todayTotal }}
        onRefused={() => {
          void customerQuery.refetch();
          if (!goodwill) void eligibility.refetch();
          if (role === 'agent') void today.refetch();
        }}
        onSuccess={answer => {
          unselectRuns(true);
          onSettled({
            answer,
            runTimes: startTimes(generations, answer.record.items.map(item => item.generation_id)),
            chatId: chatIds.length === 1 ? chatIds[0] : null,
          });
        }}
      />
    </Stack>
  );
};
