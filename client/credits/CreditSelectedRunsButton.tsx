import AddCard from '@mui/icons-material/AddCard';
import { Button, Typography } from '@mui/material';
import { useListContext, useNavigate } from 'react-admin';
import { creditLimits } from '../../shared/creditLimits.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { useTicketContext } from '../lookup/useTicketContext.ts';
import { creditCreatePath } from './creditPaths.ts';

const maxRuns = creditLimits.runs;

/**
 * The runs list's bulk action: opens the credit form for the selected runs. One credit is for one
 * customer, so a selection spanning customers is refused here (and by the server).
 */
export const CreditSelectedRunsButton = () => {
  const { selectedIds, data } = useListContext<GenerationRecord>();
  const navigate = useNavigate();
  // From a helpdesk link, the ticket's reference and the customer's words go on to the form.
  const ticket = useTicketContext();
  const ids = selectedIds.map(String);
  const customers = new Set((data ?? []).filter(run => ids.includes(String(run.id))).map(run => run.customer_id));
  const problem =
    customers.size > 1 ? 'Select runs of one customer: one credit is for one customer.' : ids.length > maxRuns ? `Select at most ${maxRuns} runs.` : null;
  return (
    <>
      {problem && (
        <Typography variant="body2" color="error" sx={{ px: 1 }}>
          {problem}
        </Typography>
      )}
      <Button
        variant="contained"
        size="small"
        startIcon={<AddCard />}
        disabled={problem !== null || ids.length === 0}
        onClick={() => navigate(creditCreatePath({ runs: ids }, ticket))}
      >
        Credit selected runs
      </Button>
    </>
  );
};
