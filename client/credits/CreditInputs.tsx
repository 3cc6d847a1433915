import { Box, Stack } from '@mui/material';
import { NumberInput, SelectInput, TextInput } from 'react-admin';
import { useWatch } from 'react-hook-form';
import type { CreditReason, RunEligibility } from '../../shared/credits.ts';
import { formatTokenCount } from '../display/format.ts';
import { availableReasons, coveredRuns, creditReasonLabel, noteRequirement, type CreditFormValues } from './creditModel.ts';

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

/** The reason codes that suit the runs in the credit, in words; one that fits alone is already chosen. */
const ReasonInput = ({ runs }: { runs: RunEligibility[] }) => {
  const items = useWatch<CreditFormValues, 'items'>({ name: 'items' });
  const reasons: CreditReason[] = availableReasons(coveredRuns(items ?? [], runs));
  return (
    <SelectInput
      source="reason"
      label="Reason"
      choices={reasons.map(reason => ({ id: reason, name: creditReasonLabel(reason) }))}
      emptyText="Choose the reason"
      helperText={reasons.length === 1 ? 'The only reason that suits these runs.' : 'The reason must suit every run in the credit.'}
    />
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
 * internal note and the customer's own asset links. `runs` is the eligibility of the selected runs.
 */
export const CreditCaseInputs = ({ runs }: { runs: RunEligibility[] }) => (
  <Stack spacing={1}>
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
      <ReasonInput runs={runs} />
      <TextInput source="ticket_ref" label="Ticket reference" helperText="The helpdesk ticket, e.g. ZD-48213" />
    </Box>
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
      <TextInput source="expected" label="What the customer expected" multiline minRows={2} fullWidth helperText="In the customer’s words, from the ticket." />
      <TextInput source="received" label="What they received" multiline minRows={2} fullWidth helperText="What the run actually produced." />
    </Box>
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
