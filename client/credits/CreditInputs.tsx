import { Box, Stack } from '@mui/material';
import { NumberInput, SelectInput, TextInput } from 'react-admin';
import { useWatch } from 'react-hook-form';
import type { RunEligibility } from '../../shared/credits.ts';
import { formatTokenCount } from '../display/format.ts';
import { customerWordsRequired, noteRequirement, type CreditFormValues } from './creditFormModel.ts';
import { creditReasonLabel } from './creditModel.ts';
import { coveredRuns, formReasons } from './eligibilityModel.ts';

/** The tokens to return for the run at `index` of the form's items, with its suggestion beside it. */
export const RunTokensInput = ({ index, run }: { index: number; run: RunEligibility }) => (
  <NumberInput
    source={`items.${index}.tokens`}
    label="Tokens"
    inputProps={{ 'aria-label': `Tokens for ${run.generation_id}` }}
    step={1}
    min={1}
    max={run.eligible_tokens}
    helperText={`Suggested: ${formatTokenCount(run.eligible_tokens)}`}
    size="small"
    sx={{ width: 160, m: 0 }}
  />
);

/** The amount of a goodwill credit (no runs to sum). */
export const GoodwillAmountInput = () => (
  <NumberInput source="amount" label="Tokens to add" step={1} min={1} helperText="A goodwill credit covers no runs: say how many tokens." sx={{ maxWidth: 260 }} />
);

const reasonHint = (count: number, goodwill: boolean): string => {
  if (goodwill) return 'A credit that covers no runs is a goodwill credit.';
  if (count === 0) return 'No reason suits the runs in this credit: see above.';
  return count === 1 ? 'The only reason that suits these runs.' : 'The reason must suit every run in the credit.';
};

/** The reason codes that suit the runs in the credit, in words; one that fits alone is already chosen. */
const ReasonInput = ({ runs, goodwill }: { runs: RunEligibility[]; goodwill: boolean }) => {
  const items = useWatch<CreditFormValues, 'items'>({ name: 'items' });
  const reasons = formReasons(coveredRuns(items ?? [], runs), goodwill);
  return (
    <SelectInput
      source="reason"
      label="Reason"
      choices={reasons.map(reason => ({ id: reason, name: creditReasonLabel(reason) }))}
      emptyText="Choose the reason"
      helperText={reasonHint(reasons.length, goodwill)}
    />
  );
};

/** What the customer expected and received: in their words, optional for a missed auto-refund (they may not have written). */
const CustomerWordsInputs = () => {
  const reason = useWatch<CreditFormValues, 'reason'>({ name: 'reason' });
  const optional = !customerWordsRequired(reason ?? '');
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
      <TextInput
        source="expected"
        label="What the customer expected"
        multiline
        minRows={2}
        fullWidth
        helperText={optional ? 'Optional for a missed auto-refund: the run failed, whatever was asked.' : 'In the customer’s words, from the ticket.'}
      />
      <TextInput
        source="received"
        label="What they received"
        multiline
        minRows={2}
        fullWidth
        helperText={optional ? 'Optional for a missed auto-refund: the run failed and was charged.' : 'What the run actually produced.'}
      />
    </Box>
  );
};

/** The note, with the reason it is required (or not) said next to it. */
const NoteInput = ({ runs }: { runs: RunEligibility[] }) => {
  const [items, reason] = useWatch<CreditFormValues, ['items', 'reason']>({ name: ['items', 'reason'] });
  const { required, hint } = noteRequirement({ items: items ?? [], reason: reason ?? '' }, runs);
  return <TextInput source="note" label={required ? 'Internal note (required)' : 'Internal note'} helperText={hint} multiline minRows={2} fullWidth />;
};

/**
 * The case details of a credit: reason, ticket, what the customer expected and received, the
 * internal note and the customer's own asset links. `runs` is the eligibility of the selected runs;
 * `goodwill` a credit with none.
 */
export const CreditCaseInputs = ({ runs, goodwill }: { runs: RunEligibility[]; goodwill: boolean }) => (
  <Stack spacing={1}>
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
      <ReasonInput runs={runs} goodwill={goodwill} />
      <TextInput source="ticket_ref" label="Ticket reference" helperText="The helpdesk ticket, e.g. ZD-48213" />
    </Box>
    <CustomerWordsInputs />
    <NoteInput runs={runs} />
    <TextInput
      source="asset_links"
      label="Customer-provided asset links"
      multiline
      minRows={1}
      fullWidth
      helperText="Optional. One https:// link per line (screenshots, files the customer sent)."
    />
  </Stack>
);
