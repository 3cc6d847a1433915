import { Alert, AlertTitle, Box, Button, Stack } from '@mui/material';
import { Link } from 'react-router-dom';
import type { CustomerRecord } from '../../shared/records.ts';
import type { CreditAnswer } from '../dataProvider.ts';
import { formatTokenCount, formatTokens } from '../display/format.ts';
import { showPath } from '../lookup/lookupModel.ts';
import { CopyReplyButton } from './CopyReplyButton.tsx';
import { creditShowPath } from './creditPaths.ts';
import { creditReply } from './replyModel.ts';

/**
 * What the server did with the credit: applied, with the customer's new balance, or waiting for
 * approval with the server's reasons. Then the reply for the ticket and the way back.
 */
export const CreditOutcome = ({
  answer,
  customer,
  runTimes,
  chatId,
}: {
  answer: CreditAnswer;
  customer: CustomerRecord | undefined;
  runTimes: string[];
  chatId: string | null;
}) => {
  const { record } = answer;
  const reply = creditReply(record, runTimes, customer?.time_zone);
  const who = customer?.name ?? record.customer_name ?? record.customer_id;
  return (
    <Stack spacing={2} sx={{ maxWidth: 760 }}>
      {record.status === 'applied' ? (
        <Alert severity="success" role="status">
          <AlertTitle>Credited {formatTokenCount(record.amount)}</AlertTitle>
          {who}’s new balance: <strong>{formatTokens(record.balance_after)} tokens</strong>. Credit {record.id}.
        </Alert>
      ) : (
        <Alert severity="warning" role="status">
          <AlertTitle>Waiting for approval</AlertTitle>
          {formatTokenCount(record.amount)} for {who} wait for a lead’s decision; the balance changes once it is approved.
          {record.approval_reasons.length > 0 && (
            <Box component="ul" sx={{ mb: 0, pl: 2 }}>
              {record.approval_reasons.map(reason => (
                <li key={reason}>{reason}</li>
              ))}
            </Box>
          )}
        </Alert>
      )}
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        {reply && <CopyReplyButton text={reply} size="medium" />}
        <Button component={Link} to={creditShowPath(record.id)}>
          Open the credit
        </Button>
        {chatId ? (
          <Button component={Link} to={showPath('chats', chatId)}>
            Back to the chat
          </Button>
        ) : (
          <Button component={Link} to={showPath('customers', record.customer_id)}>
            Back to the customer
          </Button>
        )}
      </Stack>
    </Stack>
  );
};
