import { Alert, AlertTitle, Box, Button, Card, CardContent, Skeleton, Stack, Typography } from '@mui/material';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Form,
  HttpError,
  Title,
  useDataProvider,
  useGetIdentity,
  useGetList,
  useGetMany,
  useGetOne,
  useLocation,
  usePermissions,
  useRefresh,
  useUnselectAll,
} from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import type { CreditRecord, CreditRequest, Policy, RunEligibility } from '../../shared/credits.ts';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import type { Role } from '../../shared/roles.ts';
import { CustomerHeader } from '../customers/CustomerHeader.tsx';
import type { AppDataProvider, CreditAnswer } from '../dataProvider.ts';
import { formatTokenCount, isKnownTimeZone } from '../display/format.ts';
import {
  buildCreditRequest,
  creditableRuns,
  creditTotal,
  dailyCreditTotal,
  describeBlockedBy,
  forecastApproval,
  initialCreditValues,
  newIdempotencyKey,
  noReasonExplanation,
  readCreditFailure,
  utcDayStart,
  validateCreditForm,
  type CreditFailure,
  type CreditFormValues,
} from './creditModel.ts';
import { CreditConfirmDialog } from './CreditConfirmDialog.tsx';
import { CreditCaseInputs, GoodwillAmountInput } from './CreditInputs.tsx';
import { CreditOutcome } from './CreditOutcome.tsx';
import { readCreditTarget } from './creditPaths.ts';
import { CreditRunsTable } from './CreditRunsTable.tsx';

/** What the confirmation needs to forecast whether the credit applies at once. */
interface ForecastInput {
  policy: Policy | undefined;
  role: Role;
  /** The agent's credits so far today (UTC), when known. */
  todayTotal: number | null;
}

const errorMessage = (error: unknown): string => (error instanceof Error && error.message ? error.message : 'Token Desk did not answer.');

/** The total of the credit as typed, beside the suggestion. */
const CreditTotal = ({ suggested }: { suggested: number | null }) => {
  const [items, amount] = useWatch<CreditFormValues, ['items', 'amount']>({ name: ['items', 'amount'] });
  const total = creditTotal({ items: items ?? [], amount: amount ?? null });
  return (
    <Typography variant="subtitle1" component="p" aria-live="polite">
      Total: <strong>{formatTokenCount(total)}</strong>
      {suggested != null && total !== suggested && (
        <Typography component="span" color="text.secondary">
          {' '}
          (suggested: {formatTokenCount(suggested)})
        </Typography>
      )}
    </Typography>
  );
};

/** Why the server refused the credit: the runs in the way, the fields it names, or its message. */
const FailureAlert = ({ failure }: { failure: CreditFailure | null }) => {
  if (!failure || failure.kind === 'network') return null;
  if (failure.kind === 'blocked') {
    return (
      <Alert severity="error" role="alert">
        <AlertTitle>Not credited: a run is no longer eligible</AlertTitle>
        {failure.message}
        <Box component="ul" sx={{ mb: 0, pl: 2 }}>
          {failure.blocked.map(blocked => (
            <li key={`${blocked.generation_id}-${blocked.id}`}>
              Run {blocked.generation_id}: {describeBlockedBy(blocked)}.
            </li>
          ))}
          {failure.runs
            .filter(run => !failure.blocked.some(blocked => blocked.generation_id === run.generation_id))
            .map(run => (
              <li key={run.generation_id}>
                Run {run.generation_id}: {run.message ?? `only ${formatTokenCount(run.eligible_tokens)} left to return`}.
              </li>
            ))}
        </Box>
        The table below shows each run as it stands now: leave out or lower the runs in the way, then review again.
      </Alert>
    );
  }
  if (failure.kind === 'invalid') {
    return (
      <Alert severity="error" role="alert">
        <AlertTitle>Not credited: check the marked fields</AlertTitle>
        {failure.message}
        {failure.otherErrors.length > 0 && (
          <Box component="ul" sx={{ mb: 0, pl: 2 }}>
            {failure.otherErrors.map(error => (
              <li key={error}>{error}</li>
            ))}
          </Box>
        )}
      </Alert>
    );
  }
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>Not credited</AlertTitle>
      {failure.message}
    </Alert>
  );
};

/**
 * The confirmation step and the request itself. Inside the form so that the server's field errors
 * land on the fields; the form stays mounted throughout, so nothing typed is lost on an error.
 */
const CreditSubmission = ({
  open,
  request,
  onClose,
  idempotencyKey,
  customer,
  goodwill,
  forecastInput,
  onFailure,
  onSuccess,
}: {
  open: boolean;
  request: CreditRequest | null;
  onClose: () => void;
  idempotencyKey: string;
  customer: CustomerRecord | undefined;
  goodwill: boolean;
  forecastInput: ForecastInput;
  onFailure: (failure: CreditFailure) => void;
  onSuccess: (answer: CreditAnswer) => void;
}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const { setError } = useFormContext<CreditFormValues>();
  const [networkError, setNetworkError] = useState<string | null>(null);
  const { mutate, isPending } = useMutation({
    mutationFn: (body: CreditRequest) => dataProvider.requestCredit(body, idempotencyKey),
    onSuccess,
    onError: error => {
      const failure = readCreditFailure(error, goodwill);
      if (failure.kind === 'network') {
        setNetworkError(failure.message);
        return;
      }
      setNetworkError(null);
      onClose();
      if (failure.kind === 'invalid') {
        for (const [path, message] of failure.fieldErrors) setError(path as keyof CreditFormValues, { type: 'server', message });
      }
      onFailure(failure);
    },
  });
  const forecast = forecastApproval(
    forecastInput.policy,
    { role: forecastInput.role, amount: request?.amount ?? 0, reason: request?.reason ?? '' },
    forecastInput.todayTotal,
  );
  return (
    <CreditConfirmDialog
      open={open}
      request={request}
      customer={customer}
      forecast={forecast}
      sending={isPending}
      networkError={networkError}
      onConfirm={() => request && mutate(request)}
      onCancel={() => {
        setNetworkError(null);
        onClose();
      }}
    />
  );
};

/** The runs' start times, for the reply's "the run of March 3". */
const startTimes = (generations: Map<string, GenerationRecord>, ids: string[]) =>
  ids.flatMap(id => {
    const run = generations.get(id);
    return run ? [run.started_at] : [];
  });

const CreditForm = ({
  runs,
  suggestedTotal,
  goodwill,
  customerId,
  customer,
  generations,
  forecastInput,
  onSuccess,
  refetchEligibility,
}: {
  runs: RunEligibility[];
  /** The server's suggestion: what is left to return of every selected run. */
  suggestedTotal: number;
  goodwill: boolean;
  customerId: string;
  customer: CustomerRecord | undefined;
  generations: Map<string, GenerationRecord>;
  forecastInput: ForecastInput;
  onSuccess: (answer: CreditAnswer) => void;
  refetchEligibility: () => void;
}) => {
  // The form's first values are set once: a later eligibility answer must not reset what was typed.
  const [defaultValues] = useState(() => initialCreditValues(creditableRuns(runs)));
  const [suggested] = useState(() => (goodwill ? null : suggestedTotal));
  // One key per credit request: every retry of it (after a network error) sends the same key, so
  // the server answers the first result instead of crediting twice. A 4xx answer is not stored by
  // the server, so a corrected request may reuse it too (docs/api.md, Idempotent credits).
  const [idempotencyKey] = useState(newIdempotencyKey);
  const latestRuns = useRef(runs);
  useEffect(() => {
    latestRuns.current = runs;
  }, [runs]);
  const validate = useCallback(
    (values: Record<string, unknown>) => validateCreditForm(values as unknown as CreditFormValues, latestRuns.current, goodwill),
    [goodwill],
  );
  // The request under review stays set while its dialog closes, so the dialog never shows a blank request.
  const [review, setReview] = useState<CreditRequest | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<CreditFailure | null>(null);
  const noReason = goodwill ? null : noReasonExplanation(creditableRuns(runs));

  return (
    <Form
      defaultValues={defaultValues}
      validate={validate}
      onSubmit={(values: Record<string, unknown>) => {
        setReview(buildCreditRequest(values as unknown as CreditFormValues, customerId));
        setConfirming(true);
      }}
      noValidate
    >
      <Card variant="outlined">
        <CardContent>
          <Stack spacing={2}>
            <FailureAlert failure={failure} />
            {goodwill ? (
              <Box>
                <Typography variant="h6" component="h3">
                  Goodwill credit
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  Tokens given as a gesture, for no particular run. To credit runs, select them in the chat review or the customer’s runs instead.
                </Typography>
                <GoodwillAmountInput />
              </Box>
            ) : (
              <Box>
                <Typography variant="h6" component="h3">
                  Runs
                </Typography>
                <CreditRunsTable runs={runs} generations={generations} customerTimeZone={isKnownTimeZone(customer?.time_zone) ? customer.time_zone : null} />
              </Box>
            )}
            {noReason && <Alert severity="warning">{noReason}</Alert>}
            <CreditTotal suggested={suggested} />
            <CreditCaseInputs runs={runs} />
            <Box>
              <Button type="submit" variant="contained">
                Review the credit…
              </Button>
            </Box>
          </Stack>
        </CardContent>
      </Card>
      <CreditSubmission
        open={confirming}
        request={review}
        onClose={() => setConfirming(false)}
        idempotencyKey={idempotencyKey}
        customer={customer}
        goodwill={goodwill}
        forecastInput={forecastInput}
        onFailure={next => {
          setFailure(next);
          if (next.kind === 'blocked') refetchEligibility();
        }}
        onSuccess={answer => {
          setFailure(null);
          setConfirming(false);
          onSuccess(answer);
        }}
      />
    </Form>
  );
};

/** What the outcome screen needs from the case once the server has answered. */
interface SettledCredit {
  answer: CreditAnswer;
  runTimes: string[];
  chatId: string | null;
}

/** The loaded case: the customer, their runs' eligibility and the policy, and the form. */
const CreditCase = ({
  runIds,
  goodwillCustomerId,
  onSettled,
}: {
  runIds: string[];
  goodwillCustomerId: string | null;
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
    const notFound = eligibility.error instanceof HttpError && eligibility.error.status === 404;
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => eligibility.refetch()}>
            Retry
          </Button>
        }
      >
        Could not load the runs’ eligibility: {errorMessage(eligibility.error)}
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
            <Alert severity="error">Could not load customer {customerId}: {errorMessage(customerQuery.error)}</Alert>
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
        customerId={customerId}
        customer={customer}
        generations={generations}
        forecastInput={{ policy: policy.data, role: role ?? 'agent', todayTotal }}
        refetchEligibility={() => void eligibility.refetch()}
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

/** After the server's answer: the customer as they stand now, and what became of the credit. */
const CreditSettled = ({ settled }: { settled: SettledCredit }) => {
  const { data: customer } = useGetOne<CustomerRecord>('customers', { id: settled.answer.record.customer_id });
  return (
    <Stack spacing={2}>
      {customer && (
        <Card variant="outlined">
          <CardContent>
            <CustomerHeader customer={customer} linkToCustomer />
          </CardContent>
        </Card>
      )}
      <CreditOutcome answer={settled.answer} customer={customer} runTimes={settled.runTimes} chatId={settled.chatId} />
    </Stack>
  );
};

/** One credit request, from the form to the server's answer. */
const CreditRequestFlow = ({ runIds, goodwillCustomerId }: { runIds: string[]; goodwillCustomerId: string | null }) => {
  const [settled, setSettled] = useState<SettledCredit | null>(null);
  const refresh = useRefresh();
  if (settled) return <CreditSettled settled={settled} />;
  return (
    <CreditCase
      runIds={runIds}
      goodwillCustomerId={goodwillCustomerId}
      onSettled={next => {
        setSettled(next);
        // Balances, refund states and lists all changed on the server.
        refresh();
      }}
    />
  );
};

/**
 * "Credit a case" (docs/domain.md, flow 5): `/credits/create?runs=a,b` for runs selected in a runs
 * list, `/credits/create?customer_id=c` for a goodwill credit with no runs.
 */
export const CreditCreate = () => {
  const location = useLocation();
  const target = readCreditTarget(location.search);
  return (
    <Box sx={{ mt: 2, mb: 4 }}>
      <Title title="Credit a case" />
      {target.runs.length === 0 && !target.customerId ? (
        <Alert severity="info">
          Start a credit from the runs: select them in a chat review or a customer’s runs and choose “Credit selected runs”. A goodwill credit starts from
          the customer’s page.
        </Alert>
      ) : (
        <CreditRequestFlow key={location.search} runIds={target.runs} goodwillCustomerId={target.customerId} />
      )}
    </Box>
  );
};
