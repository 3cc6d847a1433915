import { Alert, Box, Card, CardContent, Stack } from '@mui/material';
import { useState } from 'react';
import { Title, useGetOne, useLocation, useRefresh } from 'react-admin';
import type { CustomerRecord } from '../../shared/records.ts';
import { CustomerHeader } from '../customers/CustomerHeader.tsx';
import type { TicketContext } from '../lookup/ticketContext.ts';
import { CreditCase, type SettledCredit } from './CreditCase.tsx';
import { CreditOutcome } from './CreditOutcome.tsx';
import { readCreditTarget } from './creditPaths.ts';

/** After the server's answer: the customer as they stand now, and what became of the credit. */
const CreditSettled = ({ settled }: { settled: SettledCredit }) => {
  const { data: customer } = useGetOne<CustomerRecord>('customers', { id: settled.answer.record.customer_id });
  return (
    <Stack spacing={2}>
      {customer && (
        <Card variant="outlined">
          <CardContent>
            <CustomerHeader customer={customer} linkToCustomer />
          </CardContent>
        </Card>
      )}
      <CreditOutcome answer={settled.answer} customer={customer} runTimes={settled.runTimes} chatId={settled.chatId} />
    </Stack>
  );
};

/** One credit request, from the form to the server's answer. */
const CreditRequestFlow = ({ runIds, goodwillCustomerId, ticket }: { runIds: string[]; goodwillCustomerId: string | null; ticket: TicketContext }) => {
  const [settled, setSettled] = useState<SettledCredit | null>(null);
  const refresh = useRefresh();
  if (settled) return <CreditSettled settled={settled} />;
  return (
    <CreditCase
      runIds={runIds}
      goodwillCustomerId={goodwillCustomerId}
      ticket={ticket}
      onSettled={next => {
        setSettled(next);
        // Balances, refund states and lists all changed on the server.
        refresh();
      }}
    />
  );
};

/**
 * "Credit a case" (docs/domain.md, flow 5): `/credits/create?runs=a,b` for runs selected in a runs
 * list, `/credits/create?customer_id=c` for a goodwill credit with no runs; either may carry the
 * helpdesk ticket's context (`ticket`, `expected`, `received`), which fills the form.
 */
export const CreditCreate = () => {
  const location = useLocation();
  const target = readCreditTarget(location.search);
  return (
    <Box sx={{ mt: 2, mb: 4 }}>
      <Title title="Credit a case" />
      {target.runs.length === 0 && !target.customerId ? (
        <Alert severity="info">
          Start a credit from the runs: select them in a chat review or a customer’s runs and choose “Credit selected runs”. A goodwill credit starts from
          the customer’s page.
        </Alert>
      ) : (
        <CreditRequestFlow key={location.search} runIds={target.runs} goodwillCustomerId={target.customerId} ticket={target.ticket} />
      )}
    </Box>
  );
};
