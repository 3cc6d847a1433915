import { Alert, AlertTitle } from '@mui/material';
import { useListContext } from 'react-admin';
import type { GenerationRecord, TransactionRecord } from '../../shared/records.ts';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { useDisplayTimeZone } from '../display/displayTimeZone.tsx';
import { formatDateTime } from '../display/format.ts';
import { refundProof, refundStatePresentation } from './generationModel.ts';

/** `text` with the time it names shown as a `DateTimeText`, so its UTC value is on hover like every other time. */
const WithTime = ({ text, time, timeZone }: { text: string; time?: string; timeZone: string }) => {
  const shown = time ? formatDateTime(time, timeZone) : '';
  const at = shown ? text.indexOf(shown) : -1;
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <DateTimeText value={time} timeZone={timeZone} />
      {text.slice(at + shown.length)}
    </>
  );
};

/** The refund state of a run and its proof from the ledger, read from the surrounding list of the run's entries. */
export const RefundProofNote = ({ run }: { run: GenerationRecord }) => {
  const { data, isPending, error } = useListContext<TransactionRecord>();
  const timeZone = useDisplayTimeZone();
  if (isPending || error) return null;
  const proof = refundProof(run, data ?? [], timeZone);
  return (
    <Alert severity={proof.severity} aria-label="Refund state">
      <AlertTitle>{refundStatePresentation(run.refund_state).label}</AlertTitle>
      <WithTime text={proof.text} time={proof.time} timeZone={timeZone} />
    </Alert>
  );
};
