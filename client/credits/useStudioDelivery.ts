import { useGetIdentity } from 'react-admin';
import type { StudioDeliverySettings } from '../../shared/delivery.ts';
import type { StaffIdentity } from '../authProvider.ts';
import { deliveryConfigured } from './deliveryModel.ts';

/**
 * Whether credits can reach the studio, from the signed-in session. `configured` is undefined
 * until the session is known: screens then speak as if delivery were on rather than raise a
 * false alarm for the moment it takes to load.
 */
export const useStudioDelivery = (): { configured: boolean | undefined; settings: StudioDeliverySettings | undefined } => {
  const { identity } = useGetIdentity();
  const settings = (identity as Partial<StaffIdentity> | undefined)?.studio_delivery;
  return { configured: settings ? deliveryConfigured(settings) : undefined, settings };
};
