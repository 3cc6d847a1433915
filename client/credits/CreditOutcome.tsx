import { Alert, AlertTitle, Box, Button, CircularProgress, Stack } from '@mui/material';
import { useEffect, useRef } from 'react';
import { useGetOne } from 'react-admin';
import { Link } from 'react-router-dom';
import type { CreditRecord } from '../../shared/credits.ts';
import { creditDeliveryOutcome, deliveryStillMoving, type CreditDeliveryOutcome } from '../../shared/delivery.ts';
import type { CustomerRecord } from '../../shared/records.ts';
import type { CreditAnswer } from '../dataProvider.ts';
import { formatTokenCount, formatTokens } from '../display/format.ts';
import { showPath } from '../lookup/lookupModel.ts';
import { creditShowPath } from './creditPaths.ts';
import { CreditReply } from './CreditReply.tsx';
import { DELIVERY_POLL_MS, describeDeliveryEvent } from './deliveryModel.ts';
import { useStudioDelivery } from './useStudioDelivery.ts';

/**
 * The credit as the server describes it now: the answer first, then asked again every
 * `DELIVERY_POLL_MS` while its delivery may still move by itself (waiting or failing). Asking stops
 * once it is delivered, given up or cannot be delivered, and when the screen goes away; it starts
 * only once the session has said whether delivery is configured at all.
 */
const useCreditOnItsWay = (answered: CreditRecord, configured: boolean | undefined): CreditRecord => {
  const moving = (credit: CreditRecord) => configured !== undefined && deliveryStillMoving(creditDeliveryOutcome(credit, configured));
  const { data } = useGetOne<CreditRecord>(
    'credits',
    { id: answered.id },
    {
      initialData: answered,
      enabled: moving(answered),
      refetchInterval: query => (query.state.data && moving(query.state.data) ? DELIVERY_POLL_MS : false),
    },
  );
  return data ?? answered;
};

const deliverySeverity: Record<Exclude<CreditDeliveryOutcome, 'none'>, 'info' | 'success' | 'warning' | 'error'> = {
  waiting: 'info',
  delivered: 'success',
  failing: 'warning',
  given_up: 'error',
  not_configured: 'warning',
};

/** Where the credit stands with the studio, said again each time it changes (a polite live region). */
const DeliveryStanding = ({ credit, configured }: { credit: CreditRecord; configured: boolean }) => {
  const outcome = creditDeliveryOutcome(credit, configured);
  const applied = credit.delivery.find(event => event.type === 'credit.applied');
  if (outcome === 'none' || !applied) return null;
  return (
    <Alert
      severity={deliverySeverity[outcome]}
      role="status"
      icon={outcome === 'waiting' ? <CircularProgress size={20} aria-hidden /> : undefined}
    >
      <AlertTitle>Studio delivery</AlertTitle>
      {describeDeliveryEvent(applied, configured)}
      {outcome === 'waiting' && '. This screen updates by itself once the studio has the tokens.'}
      {outcome === 'failing' && '. Token Desk keeps trying; this screen updates by itself.'}
      {outcome === 'given_up' && '. A lead can retry it from the credit’s page.'}
    </Alert>
  );
};

/**
 * What the server did with the credit: applied, with the customer's new balance, or waiting for
 * approval with the server's reasons; once applied, where its tokens stand with the studio, kept
 * up to date until they are in the customer's account. Then the reply for the ticket and the way
 * back.
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
  const { configured } = useStudioDelivery();
  // What the server did is its answer; only the way to the studio moves on afterwards.
  const answered = answer.record;
  const record = useCreditOnItsWay(answered, configured);
  const who = customer?.name ?? answered.customer_name ?? answered.customer_id;
  // The form and its Confirm button are gone: keyboard and screen-reader users start again from
  // the outcome, with the reply to copy next in the tab order.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Stack spacing={2} sx={{ maxWidth: 760 }}>
      {answered.status === 'applied' ? (
        <Alert severity="success" role="status">
          <AlertTitle component="h2" ref={heading} tabIndex={-1} sx={{ outline: 'none' }}>
            Credited {formatTokenCount(answered.amount)}
          </AlertTitle>
          {who}’s new balance: <strong>{formatTokens(answered.balance_after)} tokens</strong>. Credit {answered.id}.
        </Alert>
      ) : (
        <Alert severity="warning" role="status">
          <AlertTitle component="h2" ref={heading} tabIndex={-1} sx={{ outline: 'none' }}>
            Waiting for approval
          </AlertTitle>
          {formatTokenCount(answered.amount)} for {who} wait for a lead’s decision; the balance changes once it is approved.
          {answered.approval_reasons.length > 0 && (
            <Box component="ul" sx={{ mb: 0, pl: 2 }}>
              {answered.approval_reasons.map(reason => (
                <li key={reason}>{reason}</li>
              ))}
            </Box>
          )}
        </Alert>
      )}
      <DeliveryStanding credit={record} configured={configured ?? true} />
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center', rowGap: 1 }}>
        <CreditReply credit={record} runTimes={runTimes} timeZone={customer?.time_zone} />
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
