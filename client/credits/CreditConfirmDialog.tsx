import { Alert, Box, Button, CircularProgress, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { CreditRequest } from '../../shared/credits.ts';
import type { CustomerRecord } from '../../shared/records.ts';
import { Fact, FactList } from '../display/Fact.tsx';
import { formatTokenCount, formatTokens } from '../display/format.ts';
import { creditReasonLabel } from './creditModel.ts';
import type { ApprovalForecast } from './submissionModel.ts';
import { TicketRef } from '../display/TicketRef.tsx';

/**
 * How long after the dialog opens a key cannot confirm. Enter in a form field opens it with the
 * focus on Confirm, so a second Enter pressed in haste (or the key held down) would apply the
 * credit unread; a click, which needs the pointer on the button, is taken at once.
 */
export const CONFIRM_KEY_DELAY_MS = 500;

/** False from the moment `open` turns true until `delay` has passed. */
const useArmedAfter = (open: boolean, delay: number): boolean => {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    setArmed(false);
    if (!open) return;
    const timer = setTimeout(() => setArmed(true), delay);
    return () => clearTimeout(timer);
  }, [open, delay]);
  return armed;
};

const activationKeys = new Set(['Enter', ' ']);

const forecastWords = (forecast: ApprovalForecast, amount: number) => {
  switch (forecast.outcome) {
    case 'applies':
      return { severity: 'success' as const, title: `Applies at once: ${formatTokenCount(amount)} go to the customer now.` };
    case 'waits':
      return { severity: 'warning' as const, title: 'Waits for a lead’s approval: the balance changes only once it is approved.' };
    default:
      return { severity: 'info' as const, title: 'Should apply at once; the server decides.' };
  }
};

/**
 * The explicit confirmation of a credit (money forms are pessimistic: no undo): the amount, the
 * customer, their balance now and after, and whether the policy lets it apply at once. A request
 * that got no answer can be sent again from here with the same idempotency key.
 */
export const CreditConfirmDialog = ({
  open,
  request,
  customer,
  forecast,
  sending,
  networkError,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  request: CreditRequest | null;
  customer: CustomerRecord | undefined;
  forecast: ApprovalForecast;
  sending: boolean;
  networkError: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) => {
  const amount = request?.amount ?? 0;
  const balance = customer?.balance;
  const { severity, title } = forecastWords(forecast, amount);
  const armed = useArmedAfter(open, CONFIRM_KEY_DELAY_MS);
  // Captured before the focused button sees the key, so neither the browser nor MUI turns it into a click.
  const holdEarlyKeys = (event: KeyboardEvent) => {
    if (!armed && activationKeys.has(event.key)) event.preventDefault();
  };
  // A credit that waits changes no balance until a lead approves it: say so rather than claim one.
  const balanceAfter =
    balance == null
      ? 'Unknown'
      : forecast.outcome === 'waits'
        ? `Unchanged until approved (then ${formatTokens(balance + amount)} tokens)`
        : `${formatTokens(balance + amount)} tokens`;
  return (
    <Dialog
      open={open}
      onClose={sending ? undefined : onCancel}
      aria-labelledby="confirm-credit-title"
      fullWidth
      maxWidth="sm"
      onKeyDownCapture={holdEarlyKeys}
      onKeyUpCapture={holdEarlyKeys}
    >
      <DialogTitle id="confirm-credit-title">
        Credit {formatTokenCount(amount)} to {customer?.name ?? request?.customer_id}?
      </DialogTitle>
      <DialogContent>
        <FactList minWidth={150}>
          <Fact term="Amount">{formatTokenCount(amount)}</Fact>
          <Fact term="Customer">
            {customer?.name ?? '—'} ({request?.customer_id})
          </Fact>
          <Fact term="Balance now">{balance == null ? 'Unknown' : `${formatTokens(balance)} tokens`}</Fact>
          <Fact term="Balance after">{balanceAfter}</Fact>
          <Fact term="Reason">{request ? creditReasonLabel(request.reason) : '—'}</Fact>
          <Fact term="Runs">{request?.items.length ? request.items.map(item => `${item.generation_id} (${formatTokens(item.tokens)})`).join(', ') : 'None (goodwill)'}</Fact>
          <Fact term="Ticket"><TicketRef reference={request?.ticket_ref} /></Fact>
        </FactList>
        <Alert severity={severity} role="note" sx={{ mt: 2 }}>
          {title}
          {forecast.reasons.length > 0 && (
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
              {forecast.reasons.map(reason => (
                <li key={reason}>{reason}</li>
              ))}
            </Box>
          )}
        </Alert>
        {networkError && (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {networkError}
          </Alert>
        )}
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          There is no undo: a wrong credit can only be voided by a lead.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={sending}>
          Back to the form
        </Button>
        <Button
          variant="contained"
          onClick={onConfirm}
          disabled={sending}
          autoFocus
          startIcon={sending ? <CircularProgress size={16} aria-hidden /> : undefined}
        >
          {sending ? 'Sending…' : networkError ? 'Try again' : `Confirm: credit ${formatTokenCount(amount)}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
