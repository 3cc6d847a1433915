import AddCard from '@mui/icons-material/AddCard';
import { Button } from '@mui/material';
import { Link } from 'react-admin';
import { creditableTokens } from '../../shared/refundState.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { creditCreatePath } from '../credits/creditPaths.ts';
import { useTicketContext } from '../lookup/useTicketContext.ts';

type CreditableRun = Pick<GenerationRecord, 'id' | 'refund_state' | 'tokens_charged' | 'tokens_returned' | 'tokens_reserved'>;

/**
 * "Credit this run": opens the credit form for one run, with the ticket's context when the page
 * came from a helpdesk link. Shown only while the run has tokens a credit could return; otherwise
 * its refund answer says why not.
 */
export const CreditRunButton = ({
  run,
  variant = 'outlined',
  short = false,
}: {
  run: CreditableRun;
  variant?: 'outlined' | 'contained';
  /** "Credit" alone, in a table's "Credit" column; its accessible name still says "Credit this run". */
  short?: boolean;
}) => {
  const ticket = useTicketContext();
  if (creditableTokens(run) <= 0) return null;
  return (
    <Button
      component={Link}
      to={creditCreatePath({ runs: [run.id] }, ticket)}
      variant={variant}
      size="small"
      startIcon={<AddCard />}
      aria-label={`Credit this run (${run.id})`}
      sx={{ whiteSpace: 'nowrap' }}
    >
      {short ? 'Credit' : 'Credit this run'}
    </Button>
  );
};
