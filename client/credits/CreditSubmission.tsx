import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useDataProvider } from 'react-admin';
import { useFormContext } from 'react-hook-form';
import type { CreditRequest, Policy } from '../../shared/credits.ts';
import type { CustomerRecord } from '../../shared/records.ts';
import type { Role } from '../../shared/roles.ts';
import type { AppDataProvider, CreditAnswer } from '../dataProvider.ts';
import { CreditConfirmDialog } from './CreditConfirmDialog.tsx';
import type { CreditFormValues } from './creditFormModel.ts';
import { forecastApproval, readCreditFailure, type CreditFailure } from './submissionModel.ts';

/** What the confirmation needs to forecast whether the credit applies at once. */
export interface ForecastInput {
  policy: Policy | undefined;
  role: Role;
  /** The agent's credits so far today (UTC), when known. */
  todayTotal: number | null;
}

/**
 * The confirmation step and the request itself. Inside the form so that the server's field errors
 * land on the fields; the form stays mounted throughout, so nothing typed is lost on an error.
 * A request that got no answer stays in the dialog, to be sent again with the same key.
 */
export const CreditSubmission = ({
  open,
  request,
  onClose,
  idempotencyKey,
  customer,
  goodwill,
  forecastInput,
  onFailure,
  onSuccess,
}: {
  open: boolean;
  request: CreditRequest | null;
  onClose: () => void;
  idempotencyKey: string;
  customer: CustomerRecord | undefined;
  goodwill: boolean;
  forecastInput: ForecastInput;
  onFailure: (failure: CreditFailure) => void;
  onSuccess: (answer: CreditAnswer) => void;
}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const { setError } = useFormContext<CreditFormValues>();
  const [networkError, setNetworkError] = useState<string | null>(null);
  const { mutate, isPending } = useMutation({
    mutationFn: (body: CreditRequest) => dataProvider.requestCredit(body, idempotencyKey),
    onSuccess,
    onError: error => {
      const failure = readCreditFailure(error, goodwill);
      if (failure.kind === 'network') {
        setNetworkError(failure.message);
        return;
      }
      setNetworkError(null);
      onClose();
      if (failure.kind === 'invalid') {
        for (const [path, message] of failure.fieldErrors) setError(path as keyof CreditFormValues, { type: 'server', message });
      }
      onFailure(failure);
    },
  });
  const forecast = forecastApproval(
    forecastInput.policy,
    { role: forecastInput.role, amount: request?.amount ?? 0, reason: request?.reason ?? '' },
    forecastInput.todayTotal,
  );
  return (
    <CreditConfirmDialog
      open={open}
      request={request}
      customer={customer}
      forecast={forecast}
      sending={isPending}
      networkError={networkError}
      onConfirm={() => request && mutate(request)}
      onCancel={() => {
        setNetworkError(null);
        onClose();
      }}
    />
  );
};
