import { useGetList } from 'react-admin';
import { LIVE_REFRESH_MS } from '../layout/liveCounts.ts';
import { isTotalCapped } from '../lists/listTotal.ts';
import { missingRefundFilter, missingRefundSort } from './missingRefundModel.ts';

/**
 * How many runs wait for their missing refund, asked again every LIVE_REFRESH_MS (the menu and the
 * lead's home share the one query). Runs lists stop counting at 10,000: `capped` then says the
 * figure is a floor (docs/api.md, Totals).
 */
export const useMissingRefundCount = () => {
  const { total, meta, isPending, error, refetch } = useGetList(
    'generations',
    { filter: missingRefundFilter, pagination: { page: 1, perPage: 1 }, sort: missingRefundSort },
    { refetchInterval: LIVE_REFRESH_MS },
  );
  return { total, capped: isTotalCapped(meta), isPending, error, refetch };
};
