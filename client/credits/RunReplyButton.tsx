import { useDataProvider } from 'react-admin';
import type { CustomerRecord, GenerationRecord } from '../../shared/records.ts';
import { CopyReplyButton } from './CopyReplyButton.tsx';
import { runReply } from './replyModel.ts';

/**
 * "Copy reply" for a run whose answer needs no credit decision: auto-refunded (with the refund's
 * date on the customer's clock), refund on its way, still running, or nothing charged. The
 * customer's time zone is read on click; without it the date is a UTC day, said as such.
 */
export const RunReplyButton = ({ run }: { run: GenerationRecord }) => {
  const dataProvider = useDataProvider();
  if (runReply(run, null) === null) return null;
  const compose = async () => {
    const timeZone = await dataProvider
      .getOne<CustomerRecord>('customers', { id: run.customer_id })
      .then(({ data }) => data.time_zone)
      .catch(() => null);
    return runReply(run, timeZone) ?? '';
  };
  return <CopyReplyButton text={compose} />;
};
