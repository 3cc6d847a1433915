import { Box, Typography } from '@mui/material';
import { Link } from 'react-admin';
import type { CustomerRecord } from '../../shared/records.ts';
import { customerSearchPath, showPath, withTicketContext } from './lookupModel.ts';
import type { TicketContext } from './ticketContext.ts';

/**
 * The customers whose names start with what the agent typed, to pick one: name, e-mail and id,
 * so two customers of the same name can be told apart. More than are shown lead to the list.
 * Plain list markup: the lookup box is in the initial bundle, which MUI's list would grow.
 */
export const CustomerChoices = ({
  q,
  customers,
  total,
  ticket = {},
  onPick,
}: {
  q: string;
  customers: CustomerRecord[];
  total: number;
  ticket?: TicketContext;
  onPick?: () => void;
}) => (
  <nav aria-label={`Customers matching “${q}”`}>
    <Typography variant="body2">
      {total} customers match “{q}”. Pick one:
    </Typography>
    <Box component="ul" sx={{ listStyle: 'none', m: 0, mt: 1, p: 0 }}>
      {customers.map(customer => (
        <Box component="li" key={customer.id} sx={{ py: 0.5 }}>
          <Link to={withTicketContext(showPath('customers', customer.id), ticket)} onClick={onPick} sx={{ display: 'block' }}>
            {customer.name}
            <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block', overflowWrap: 'anywhere' }}>
              {customer.email} · {customer.id}
            </Typography>
          </Link>
        </Box>
      ))}
    </Box>
    {total > customers.length && (
      <Link to={customerSearchPath(q)} onClick={onPick} variant="body2">
        See all {total} in the customers list
      </Link>
    )}
  </nav>
);
