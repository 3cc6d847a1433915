import { Typography } from '@mui/material';
import type { GenerationRecord } from '../../shared/records.ts';
import { generationStatusLabel } from './generationModel.ts';

/** "Failed · gpu_timeout" — the status, and the error code of a failed run. */
export const RunStatus = ({ run }: { run: Pick<GenerationRecord, 'status' | 'error_code'> }) => (
  <span>
    <Typography component="span" variant="body2" color={run.status === 'failed' ? 'error' : undefined}>
      {generationStatusLabel(run.status)}
    </Typography>
    {run.status === 'failed' && run.error_code && (
      <Typography component="span" variant="body2" color="text.secondary">
        {' · '}
        {run.error_code}
      </Typography>
    )}
  </span>
);
