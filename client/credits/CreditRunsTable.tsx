import { Button, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material';
import { Link } from 'react-admin';
import { useFieldArray, useFormState } from 'react-hook-form';
import type { RunEligibility } from '../../shared/credits.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { TokenAmount } from '../display/TokenAmount.tsx';
import { RefundStateBadge } from '../generations/RefundStateBadge.tsx';
import { showPath } from '../lookup/lookupModel.ts';
import { CopyReplyButton } from './CopyReplyButton.tsx';
import { describeBlockedBy, type CreditFormValues } from './creditModel.ts';
import { RunTokensInput } from './CreditInputs.tsx';
import { notEligibleReply } from './replyModel.ts';

/** Why a run cannot be credited: the server's words, or the entry in the way with its id and date. */
const NotEligible = ({ run, customerTimeZone }: { run: RunEligibility; customerTimeZone: string | null }) => {
  const reply = notEligibleReply(run, customerTimeZone);
  return (
    <>
      <Typography variant="body2" color="text.secondary">
        Not eligible: {run.blocked_by ? `${describeBlockedBy(run.blocked_by)}.` : run.message}
      </Typography>
      {reply && <CopyReplyButton text={reply} />}
    </>
  );
};

/**
 * The selected runs as the server judges them now: refund state, tokens charged, returned and left
 * to return, and for each run in the credit its tokens (prefilled with what is left). Runs that
 * cannot be credited say why, naming the refund or credit in the way; any run can be left out.
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
  const rootError = errors.items?.root?.message ?? (typeof errors.items?.message === 'string' ? errors.items.message : undefined);
  return (
    <TableContainer>
      <Table size="small" aria-label="Runs to credit">
        <TableHead>
          <TableRow>
            <TableCell>Run</TableCell>
            <TableCell>Started</TableCell>
            <TableCell>Refund state</TableCell>
            <TableCell align="right">Charged</TableCell>
            <TableCell align="right">Returned</TableCell>
            <TableCell align="right">Left to return</TableCell>
            <TableCell>In this credit</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {runs.map(run => {
            const index = fields.findIndex(field => field.generation_id === run.generation_id);
            const generation = generations.get(run.generation_id);
            return (
              <TableRow key={run.generation_id} aria-label={`Run ${run.generation_id}`}>
                <TableCell>
                  <Link to={showPath('generations', run.generation_id)}>{run.generation_id}</Link>
                  <Typography variant="body2" color="text.secondary">
                    {run.tool}
                    {generation?.model ? ` · ${generation.model}` : ''}
                  </Typography>
                </TableCell>
                <TableCell>
                  <DateTimeText value={generation?.started_at} />
                </TableCell>
                <TableCell>
                  <RefundStateBadge state={run.refund_state} />
                </TableCell>
                <TableCell align="right">
                  <TokenAmount value={run.tokens_charged} />
                </TableCell>
                <TableCell align="right">
                  <TokenAmount value={run.tokens_returned} />
                  {run.tokens_reserved > 0 && (
                    <Typography variant="body2" color="text.secondary">
                      + <TokenAmount value={run.tokens_reserved} /> held
                    </Typography>
                  )}
                </TableCell>
                <TableCell align="right">
                  <TokenAmount value={run.eligible_tokens} />
                </TableCell>
                <TableCell sx={{ minWidth: 300 }}>
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
      {rootError && (
        <Typography color="error" variant="body2" role="alert" sx={{ p: 1 }}>
          {rootError}
        </Typography>
      )}
    </TableContainer>
  );
};
