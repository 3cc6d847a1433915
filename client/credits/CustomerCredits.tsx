import VolunteerActivism from '@mui/icons-material/VolunteerActivism';
import { Box, Button } from '@mui/material';
import { ListBase, Pagination } from 'react-admin';
import { Link } from 'react-router-dom';
import { ListLoadError } from '../display/ListLoadError.tsx';
import { creditCreatePath } from './creditPaths.ts';
import { CreditsTable } from './CreditsTable.tsx';

/**
 * The credits tab of the customer 360: every grant of the customer, newest first, and the start
 * of a goodwill credit (one that covers no runs; run credits start from the runs).
 */
export const CustomerCredits = ({ customerId }: { customerId: string }) => (
  <>
    <Box sx={{ display: 'flex', justifyContent: 'flex-end', mb: 1 }}>
      <Button component={Link} to={creditCreatePath({ customerId })} startIcon={<VolunteerActivism />}>
        Goodwill credit…
      </Button>
    </Box>
    <ListBase
      resource="credits"
      filter={{ customer_id: customerId }}
      sort={{ field: 'created_at', order: 'DESC' }}
      perPage={25}
      disableSyncWithLocation
      storeKey={false}
    >
      <ListLoadError what="the credits">
        <CreditsTable
          showCustomer={false}
          empty={{ title: 'No credit for this customer yet.', hint: 'Select runs in the Runs tab and choose “Credit selected runs”.' }}
        />
        <Pagination rowsPerPageOptions={[25, 50, 100]} />
      </ListLoadError>
    </ListBase>
  </>
);
