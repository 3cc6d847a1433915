import { Alert, AlertTitle, Box } from '@mui/material';
import type { RunEligibility } from '../../shared/credits.ts';
import { useDisplayTimeZone } from '../display/displayTimeZone.tsx';
import { formatTokenCount } from '../display/format.ts';
import { describeBlockedBy, notEligibleReason } from './eligibilityModel.ts';
import type { CreditFailure } from './submissionModel.ts';

/**
 * Why the server refused the credit: the runs in the way, the fields it names, or its message.
 * The runs are described from their fields, dated on the page's clock; `runs` is their
 * eligibility as asked again after the refusal.
 */
export const CreditFailureAlert = ({ failure, runs }: { failure: CreditFailure | null; runs: RunEligibility[] }) => {
  const timeZone = useDisplayTimeZone();
  if (!failure || failure.kind === 'network') return null;
  if (failure.kind === 'blocked') {
    const named = new Set(failure.blocked.map(blocked => blocked.generation_id));
    return (
      <Alert severity="error" role="alert">
        <AlertTitle>Not credited: a run is no longer eligible</AlertTitle>
        <Box component="ul" sx={{ mt: 0, mb: 1, pl: 2 }}>
          {failure.blocked.map(blocked => (
            <li key={`${blocked.generation_id}-${blocked.id}`}>
              Run {blocked.generation_id}: {describeBlockedBy(blocked, timeZone)}.
            </li>
          ))}
          {failure.runs
            .filter(run => !named.has(run.generation_id))
            .map(run => {
              const now = runs.find(candidate => candidate.generation_id === run.generation_id);
              return (
                <li key={run.generation_id}>
                  Run {run.generation_id}:{' '}
                  {run.eligible_tokens > 0
                    ? `only ${formatTokenCount(run.eligible_tokens)} left to return.`
                    : now
                      ? notEligibleReason(now, timeZone)
                      : 'nothing is left to return.'}
                </li>
              );
            })}
        </Box>
        The table below shows each run as it stands now, and the balance above is as it is now: leave out or lower the runs in the way, then review again.
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
