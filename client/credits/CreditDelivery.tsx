import Replay from '@mui/icons-material/Replay';
import { Box, Button, Chip, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useDataProvider, useNotify, usePermissions, useRefresh } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import { creditDeliveryStanding, eventDeliveryOutcome, type EventDeliveryOutcome } from '../../shared/delivery.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { Section } from '../display/Section.tsx';
import {
  deliveryEventLabel,
  deliveryReceipt,
  deliveryRetryable,
  describeDeliveryEvent,
  retryFailureMessage,
  standingPresentation,
} from './deliveryModel.ts';
import { useStudioDelivery } from './useStudioDelivery.ts';

/** A credit's standing with the studio in a word, for lists; a dash for a credit with nothing to deliver. */
export const DeliveryChip = ({ credit, configured }: { credit: Pick<CreditRecord, 'status' | 'delivery'>; configured: boolean }) => {
  const standing = creditDeliveryStanding(credit, configured);
  if (standing === 'none') return <>—</>;
  const { label, colour } = standingPresentation(standing);
  return <Chip label={label} color={colour} size="small" variant={colour === 'default' ? 'outlined' : 'filled'} sx={{ fontWeight: 500 }} />;
};

const standingColour: Record<EventDeliveryOutcome, string> = {
  delivered: 'success.dark',
  waiting: 'text.primary',
  failing: 'warning.main',
  given_up: 'error.main',
  not_configured: 'warning.main',
};

/** Makes the credit's failing or given-up deliveries due now, then shows the credit as the server answers it. */
const RetryDeliveryButton = ({ credit }: { credit: CreditRecord }) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { mutate, isPending } = useMutation({
    mutationFn: () => dataProvider.retryCreditDelivery(credit.id),
    onSuccess: () => {
      notify('Delivery retried: the studio is asked again now.', { type: 'success' });
      refresh();
    },
    onError: error => {
      notify(retryFailureMessage(error), { type: 'error' });
      // A 409 means the events moved on since the page loaded: show where they stand now.
      refresh();
    },
  });
  return (
    <Button size="small" variant="outlined" startIcon={<Replay />} onClick={() => mutate()} disabled={isPending}>
      {isPending ? 'Retrying…' : 'Retry now'}
    </Button>
  );
};

/**
 * "Studio delivery" on a credit's page: each of its events (the credit applied, then its void)
 * and where it stands with the studio, in words; leads and admins may retry what failed or was
 * given up. Nothing for a credit with no event (waiting for approval, rejected).
 */
export const CreditDeliverySection = ({ credit }: { credit: CreditRecord }) => {
  const { configured = true } = useStudioDelivery();
  const { permissions: role } = usePermissions<Role>();
  if (credit.delivery.length === 0) return null;
  // Retrying cannot help while neither push nor feed is on: the banner says so instead.
  const canRetry = role != null && isLeadOrAdmin(role) && configured && deliveryRetryable(credit);
  return (
    <Section title="Studio delivery" action={canRetry ? <RetryDeliveryButton credit={credit} /> : undefined}>
      <Box component="ul" sx={{ m: 0, pl: 0, listStyle: 'none', display: 'grid', gap: 1 }}>
        {credit.delivery.map(event => (
          <li key={event.event_id}>
            <Typography variant="body2">
              <strong>{deliveryEventLabel(event.type)}:</strong>{' '}
              <Box component="span" sx={{ color: standingColour[eventDeliveryOutcome(event, configured)] }}>
                {describeDeliveryEvent(event, configured)}
              </Box>
            </Typography>
            <Typography variant="caption" color="text.secondary">
              {deliveryReceipt(event)}
            </Typography>
          </li>
        ))}
      </Box>
    </Section>
  );
};
