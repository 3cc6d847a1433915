import { Stack, Typography } from '@mui/material';
import type { GenerationRecord } from '../../shared/records.ts';
import { useDisplayTimeZone } from '../display/displayTimeZone.tsx';
import { formatDateTime, utcIso } from '../display/format.ts';
import { refundAnswer } from './generationModel.ts';
import { RefundStateBadge } from './RefundStateBadge.tsx';

/** A run's refund state as a badge, and under it the answer in words (ages measured at `now`), its date in full on hover. */
export const RefundAnswerText = ({ run, now }: { run: GenerationRecord; now: Date }) => {
  const timeZone = useDisplayTimeZone();
  const { text, time } = refundAnswer(run, timeZone, now);
  const iso = utcIso(time);
  return (
    <Stack spacing={0.5} sx={{ alignItems: 'flex-start', minWidth: 140, maxWidth: 210 }}>
      <RefundStateBadge state={run.refund_state} />
      <Typography variant="body2" color="text.secondary" title={iso ? `${formatDateTime(iso, timeZone)} · ${iso} (UTC)` : undefined}>
        {text}
      </Typography>
    </Stack>
  );
};
