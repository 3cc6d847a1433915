import { Alert } from '@mui/material';
import { notConfiguredBanner } from '../credits/deliveryModel.ts';
import { useStudioDelivery } from '../credits/useStudioDelivery.ts';

/**
 * Said on every screen, to every role, while neither the webhook push nor the feed is configured
 * (the demo): credits applied here then stay in Token Desk and never reach a customer's account.
 */
export const StudioDeliveryBanner = () => {
  const { configured } = useStudioDelivery();
  if (configured !== false) return null;
  return (
    <Alert severity="warning" role="status" sx={{ mt: 1 }}>
      {notConfiguredBanner}. Tokens credited here do not reach the customers’ accounts.
    </Alert>
  );
};
