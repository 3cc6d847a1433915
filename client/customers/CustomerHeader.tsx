import { Box, Chip, Stack, Typography } from '@mui/material';
import { Link } from 'react-admin';
import { showPath } from '../lookup/lookupModel.ts';
import type { CustomerRecord } from '../../shared/records.ts';
import { CustomerClock } from './CustomerClock.tsx';
import { describeBalance } from './customerModel.ts';

/** The balance, in red with words when it is negative. */
export const Balance = ({ balance }: { balance: number }) => {
  const { figure, words } = describeBalance(balance);
  return (
    <Box>
      <Typography variant="overline" component="p" color="text.secondary" sx={{ lineHeight: 1.5 }}>
        Balance
      </Typography>
      <Typography variant="h5" component="p" color={words ? 'error' : undefined} sx={{ fontVariantNumeric: 'tabular-nums' }}>
        {figure}
      </Typography>
      {words && (
        <Typography variant="body2" color="error">
          {words}
        </Typography>
      )}
    </Box>
  );
};

/**
 * Who the customer is: name, e-mail, plan, balance and their local time. `linkToCustomer` makes
 * the name open the customer 360 (from the chat review).
 */
export const CustomerHeader = ({ customer, linkToCustomer = false }: { customer: CustomerRecord; linkToCustomer?: boolean }) => (
  <Stack direction={{ xs: 'column', sm: 'row' }} spacing={3} sx={{ justifyContent: 'space-between', alignItems: { sm: 'flex-start' } }}>
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="h5" component="h2" sx={{ overflowWrap: 'anywhere' }}>
        {linkToCustomer ? <Link to={showPath('customers', customer.id)}>{customer.name}</Link> : customer.name}
      </Typography>
      <Typography sx={{ overflowWrap: 'anywhere' }}>{customer.email}</Typography>
      <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <Chip size="small" label={`Plan: ${customer.plan}`} />
        <Typography variant="body2" color="text.secondary">
          Customer {customer.id}
        </Typography>
      </Stack>
      <Box sx={{ mt: 1 }}>
        <CustomerClock timeZone={customer.time_zone} />
      </Box>
    </Box>
    <Balance balance={customer.balance} />
  </Stack>
);
