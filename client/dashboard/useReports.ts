import { useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import type { AppDataProvider } from '../dataProvider.ts';
import type { CreditGroup, Period } from './dashboardModel.ts';

// A failed report is shown with its own retry button; retrying behind the user's back only delays that.
const reportOptions = { retry: false, staleTime: 60_000 } as const;

/** `refetchInterval`: ask again that often while shown (the home's figures of today); the dashboard's periods stay put. */
export const useCreditReport = (group: CreditGroup, period: Period, { refetchInterval }: { refetchInterval?: number } = {}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  return useQuery({
    queryKey: ['reports', 'credits', group, period.from, period.to],
    queryFn: () => dataProvider.creditReport({ from: period.from, to: period.to, group_by: group }),
    ...reportOptions,
    refetchInterval,
  });
};

export const useRefundReport = (period: Period) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  return useQuery({
    queryKey: ['reports', 'refunds', period.from, period.to],
    queryFn: () => dataProvider.refundReport({ from: period.from, to: period.to }),
    ...reportOptions,
  });
};

export const useAnomalies = (period: Period) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  return useQuery({
    queryKey: ['reports', 'anomalies', period.from, period.to],
    queryFn: () => dataProvider.anomalies({ from: period.from, to: period.to }),
    ...reportOptions,
  });
};

/** Where delivery to the studio stands now (no period): asked again each minute while the dashboard is open. */
export const studioDeliveryReportKey = ['reports', 'studio-delivery'] as const;

export const useStudioDeliveryReport = () => {
  const dataProvider = useDataProvider<AppDataProvider>();
  return useQuery({
    queryKey: studioDeliveryReportKey,
    queryFn: () => dataProvider.studioDeliveryReport(),
    ...reportOptions,
    refetchInterval: 60_000,
  });
};
