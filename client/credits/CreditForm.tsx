import { Alert, Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Form } from 'react-admin';
import { useWatch } from 'react-hook-form';
import type { CreditRequest, RunEligibility } from '../../shared/credits.ts';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import type { CreditAnswer } from '../dataProvider.ts';
import { formatTokenCount, isKnownTimeZone } from '../display/format.ts';
import type { TicketContext } from '../lookup/ticketContext.ts';
import { CreditFailureAlert } from './CreditFailureAlert.tsx';
import { buildCreditRequest, creditTotal, initialCreditValues, validateCreditForm, type CreditFormValues } from './creditFormModel.ts';
import { CreditCaseInputs, GoodwillAmountInput } from './CreditInputs.tsx';
import { CreditRunsTable } from './CreditRunsTable.tsx';
import { CreditSubmission, type ForecastInput } from './CreditSubmission.tsx';
import { coveredRuns, creditableRuns, noReasonExplanation } from './eligibilityModel.ts';
import { LeaveFormGuard } from './LeaveFormGuard.tsx';
import { newIdempotencyKey, type CreditFailure } from './submissionModel.ts';

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

/** Why no reason can be chosen for the runs now in the credit, when none can: never a silent goodwill instead. */
const NoReasonAdvice = ({ runs, goodwill }: { runs: RunEligibility[]; goodwill: boolean }) => {
  const items = useWatch<CreditFormValues, 'items'>({ name: 'items' });
  const advice = noReasonExplanation(runs, coveredRuns(items ?? [], runs), goodwill);
  return advice ? <Alert severity="warning">{advice}</Alert> : null;
};

/**
 * The credit form: the runs (or a goodwill amount), the case details, and the review that sends
 * it. `runs` is the latest eligibility of the selected runs (asked again after a refusal);
 * `ticket` the helpdesk link's context, which fills the ticket and the customer's words.
 */
export const CreditForm = ({
  runs,
  suggestedTotal,
  goodwill,
  ticket,
  customerId,
  customer,
  generations,
  forecastInput,
  onSuccess,
  onRefused,
}: {
  runs: RunEligibility[];
  /** The server's suggestion: what is left to return of every selected run. */
  suggestedTotal: number;
  goodwill: boolean;
  ticket: TicketContext;
  customerId: string;
  customer: CustomerRecord | undefined;
  generations: Map<string, GenerationRecord>;
  forecastInput: ForecastInput;
  onSuccess: (answer: CreditAnswer) => void;
  /** The server answered no: what the form showed (balance, eligibility) may be out of date. */
  onRefused: () => void;
}) => {
  // The form's first values are set once: a later eligibility answer must not reset what was typed.
  const [defaultValues] = useState(() => initialCreditValues(creditableRuns(runs), goodwill, ticket));
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
      <LeaveFormGuard what="This credit" />
      <Card variant="outlined">
        <CardContent>
          <Stack spacing={2}>
            <CreditFailureAlert failure={failure} runs={runs} />
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
            <NoReasonAdvice runs={runs} goodwill={goodwill} />
            <CreditTotal suggested={suggested} />
            <CreditCaseInputs runs={runs} goodwill={goodwill} />
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
          onRefused();
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
