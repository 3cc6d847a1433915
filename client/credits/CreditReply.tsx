import { Alert } from '@mui/material';
import type { CreditRecord } from '../../shared/credits.ts';
import { creditDeliveryOutcome } from '../../shared/delivery.ts';
import { CopyReplyButton } from './CopyReplyButton.tsx';
import { creditReply, creditReplyHold } from './replyModel.ts';
import { useStudioDelivery } from './useStudioDelivery.ts';

/**
 * "Copy reply" for a credit, worded by where its tokens stand with the studio; while delivery is
 * failing or given up, a warning to the agent instead, so nobody tells a customer about tokens
 * that are not in their account.
 */
export const CreditReply = ({ credit, runTimes, timeZone }: { credit: CreditRecord; runTimes: string[]; timeZone: string | null | undefined }) => {
  const { configured } = useStudioDelivery();
  const delivery = creditDeliveryOutcome(credit, configured ?? true);
  const hold = creditReplyHold(delivery);
  if (hold) {
    return (
      <Alert severity="warning" sx={{ flex: '1 1 100%' }}>
        {hold}
      </Alert>
    );
  }
  const reply = creditReply(credit, runTimes, timeZone, delivery);
  return reply ? <CopyReplyButton text={reply} size="medium" /> : null;
};
