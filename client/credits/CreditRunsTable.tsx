import { Box, Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useMemo } from 'react';
import { Link } from 'react-admin';
import { useFieldArray, useFormState } from 'react-hook-form';
import type { RunEligibility } from '../../shared/credits.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { useDisplayTimeZone } from '../display/displayTimeZone.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { RefundStateBadge } from '../generations/RefundStateBadge.tsx';
import { RunThumbnails } from '../generations/RunThumbnails.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { CopyReplyButton } from './CopyReplyButton.tsx';
import type { CreditFormValues } from './creditFormModel.ts';
import { notEligibleReason } from './eligibilityModel.ts';
import { RunTokensInput } from './CreditInputs.tsx';
import { notEligibleReply } from './replyModel.ts';
import { RunOutputsProvider } from './RunOutputs.tsx';

/** A field-array error as react-admin's validation leaves it: the words, or `{message}` for its translator. */
const messageOf = (error: unknown): string | undefined => {
  if (typeof error === 'string') return error;
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
};

/** Why a run cannot be credited, its dates on the page's clock, and the reply for the customer. */
const NotEligible = ({ run, customerTimeZone }: { run: RunEligibility; customerTimeZone: string | null }) => {
  const timeZone = useDisplayTimeZone();
  const reply = notEligibleReply(run, customerTimeZone);
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
        Not eligible: {notEligibleReason(run, timeZone)}
      </Typography>
      {reply && <CopyReplyButton text={reply} />}
    </>
  );
};

/** Charged, returned (and held by a waiting credit), and what is left: the figures a credit is judged by. */
const RunTokens = ({ run }: { run: RunEligibility }) => (
  <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto auto', columnGap: 1, justifyContent: 'end', typography: 'body2' }}>
    <Box component="dt" sx={{ color: 'text.secondary' }}>
      Charged
    </Box>
    <Box component="dd" sx={{ m: 0, textAlign: 'right' }}>
      <TokenAmount value={run.tokens_charged} />
    </Box>
    <Box component="dt" sx={{ color: 'text.secondary' }}>
      Returned
    </Box>
    <Box component="dd" sx={{ m: 0, textAlign: 'right' }}>
      <TokenAmount value={run.tokens_returned} />
    </Box>
    {run.tokens_reserved > 0 && (
      <>
        <Box component="dt" sx={{ color: 'text.secondary' }}>
          Held
        </Box>
        <Box component="dd" sx={{ m: 0, textAlign: 'right' }}>
          <TokenAmount value={run.tokens_reserved} />
        </Box>
      </>
    )}
    <Box component="dt" sx={{ fontWeight: 500 }}>
      Left
    </Box>
    <Box component="dd" sx={{ m: 0, textAlign: 'right', fontWeight: 500 }}>
      <TokenAmount value={run.eligible_tokens} />
    </Box>
  </Box>
);

/**
 * The selected runs as the server judges them now: what each produced, its refund state, tokens
 * charged, returned and left to return, and for each run in the credit its tokens (prefilled with
 * what is left). Runs that cannot be credited say why, naming the refund or credit in the way; any
 * run can be left out. Four columns, long ids wrapping, so the form fits a 1024 px screen.
 */
export const CreditRunsTable = ({
  runs,
  generations,
  customerTimeZone,
}: {
  runs: RunEligibility[];
  generations: Map<string, GenerationRecord>;
  customerTimeZone: string | null;
}) => {
  const { fields, append, remove } = useFieldArray<CreditFormValues, 'items'>({ name: 'items' });
  const { errors } = useFormState<CreditFormValues>({ name: 'items' });
  const rootError = messageOf(errors.items?.root?.message) ?? messageOf(errors.items?.message);
  const records = useMemo(() => runs.flatMap(run => generations.get(run.generation_id) ?? []), [runs, generations]);
  return (
    <RunOutputsProvider runs={records}>
      {/* A wider table scrolls inside its box rather than widening the page. */}
      <Box sx={{ contain: 'inline-size', overflowX: 'auto' }}>
        <Table size="small" aria-label="Runs to credit">
          <TableHead>
            <TableRow>
              <TableCell>Run and outputs</TableCell>
              <TableCell>Refund state</TableCell>
              <TableCell align="right">Tokens</TableCell>
              <TableCell>In this credit</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map(run => {
              const index = fields.findIndex(field => field.generation_id === run.generation_id);
              const generation = generations.get(run.generation_id);
              return (
                <TableRow key={run.generation_id} aria-label={`Run ${run.generation_id}`} sx={{ verticalAlign: 'top' }}>
                  <TableCell sx={{ minWidth: 180 }}>
                    <Stack spacing={0.5}>
                      <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
                        <Link to={showPath('generations', run.generation_id)}>{run.generation_id}</Link>
                      </Typography>
                      <Typography variant="body2" color="text.secondary">
                        {run.tool}
                        {generation?.model ? ` · ${generation.model}` : ''} · <DateTimeText value={generation?.started_at} short />
                      </Typography>
                      {generation && <RunThumbnails run={generation} />}
                    </Stack>
                  </TableCell>
                  <TableCell>
                    <RefundStateBadge state={run.refund_state} />
                  </TableCell>
                  <TableCell align="right">
                    <RunTokens run={run} />
                  </TableCell>
                  <TableCell sx={{ minWidth: 200 }}>
                    {index >= 0 ? (
                      <>
                        {run.eligible_tokens > 0 ? (
                          <RunTokensInput index={index} run={run} />
                        ) : (
                          <>
                            <NotEligible run={run} customerTimeZone={customerTimeZone} />
                            <Typography variant="body2" color="error" role="alert">
                              Nothing is left to return for this run any more: leave it out.
                            </Typography>
                          </>
                        )}
                        <Button size="small" onClick={() => remove(index)} aria-label={`Leave out ${run.generation_id}`}>
                          Leave out
                        </Button>
                      </>
                    ) : run.eligible_tokens > 0 ? (
                      <>
                        <Typography variant="body2" color="text.secondary" component="span" sx={{ mr: 1 }}>
                          Left out
                        </Typography>
                        <Button
                          size="small"
                          onClick={() => append({ generation_id: run.generation_id, tokens: run.eligible_tokens })}
                          aria-label={`Add ${run.generation_id} back`}
                        >
                          Add back
                        </Button>
                      </>
                    ) : (
                      <NotEligible run={run} customerTimeZone={customerTimeZone} />
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Box>
      {rootError && (
        <Typography color="error" variant="body2" role="alert" sx={{ p: 1 }}>
          {rootError}
        </Typography>
      )}
    </RunOutputsProvider>
  );
};
