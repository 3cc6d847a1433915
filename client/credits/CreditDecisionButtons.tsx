import Block from '@mui/icons-material/Block';
import Check from '@mui/icons-material/Check';
import Undo from '@mui/icons-material/Undo';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useDataProvider, useGetIdentity, useNotify, usePermissions, useRefresh } from 'react-admin';
import { creditLimits } from '../../shared/creditLimits.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import type { Role } from '../../shared/roles.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { formatTokenCount } from '../display/format.ts';
import { creditPermissions } from './creditModel.ts';
import { describeBlockedBy } from './eligibilityModel.ts';
import { readCreditFailure } from './submissionModel.ts';

type Decision = 'approve' | 'reject' | 'withdraw' | 'void';

/**
 * Why a decision was refused: for an approval whose runs were refunded or credited meanwhile, each
 * run and the entry in the way (dated in the viewer's zone); otherwise the server's words.
 */
const failureMessage = (error: unknown): string => {
  const failure = readCreditFailure(error);
  switch (failure.kind) {
    case 'network':
      return 'Token Desk did not answer: nothing was decided. Try again.';
    case 'blocked':
      return `Not approved: ${
        failure.blocked.length > 0
          ? failure.blocked.map(blocked => `run ${blocked.generation_id}: ${describeBlockedBy(blocked)}`).join('; ')
          : failure.runs.map(run => `run ${run.generation_id} has ${formatTokenCount(run.eligible_tokens)} left to return`).join('; ')
      }. Reject it instead, saying so.`;
    default:
      return failure.message;
  }
};

/**
 * A decision on a credit, made pessimistically: the dialog stays until the server has answered,
 * and only its answer is shown. `reasonLabel` asks for a reason (required) before deciding.
 */
const DecisionDialog = ({
  open,
  onClose,
  title,
  description,
  confirmLabel,
  reasonLabel,
  onDecide,
  pending,
  error,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  reasonLabel?: string;
  onDecide: (reason: string) => void;
  pending: boolean;
  error: string | null;
}) => {
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const missing = reasonLabel != null && reason.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!missing) onDecide(reason.trim());
  };
  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} aria-labelledby="decision-title" fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="decision-title">{title}</DialogTitle>
        <DialogContent>
          <DialogContentText component="div">{description}</DialogContentText>
          {reasonLabel && (
            <TextField
              label={reasonLabel}
              value={reason}
              onChange={event => setReason(event.target.value)}
              onBlur={() => setTouched(true)}
              required
              fullWidth
              multiline
              minRows={2}
              autoFocus
              margin="normal"
              error={touched && missing}
              helperText={touched && missing ? 'Required: say why, for the audit log.' : 'Kept in the credit and the audit log.'}
              slotProps={{ htmlInput: { maxLength: creditLimits.decisionReason } }}
            />
          )}
          {error && (
            <DialogContentText color="error" role="alert" sx={{ mt: 1 }}>
              {error}
            </DialogContentText>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending} autoFocus={reasonLabel == null}>
            {pending ? 'Sending…' : confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
};

const useDecision = (credit: CreditRecord, decision: Decision, onDone: () => void) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (reason: string) => {
      switch (decision) {
        case 'approve':
          return dataProvider.approveCredit(credit.id);
        case 'void':
          return dataProvider.voidCredit(credit.id, reason);
        default:
          return dataProvider.rejectCredit(credit.id, reason);
      }
    },
    onSuccess: record => {
      const done = {
        approve: `Approved: ${formatTokenCount(record.amount)} credited to ${record.customer_name ?? record.customer_id}.`,
        reject: `Rejected credit ${record.id}.`,
        withdraw: `Withdrew credit ${record.id}.`,
        void: `Voided credit ${record.id}: ${formatTokenCount(record.amount)} taken back.`,
      }[decision];
      notify(done, { type: 'success' });
      onDone();
      refresh();
    },
  });
};

const DecisionButton = ({
  credit,
  decision,
  label,
  icon,
  colour,
  title,
  description,
  confirmLabel,
  reasonLabel,
}: {
  credit: CreditRecord;
  decision: Decision;
  label: string;
  icon: ReactNode;
  colour: 'primary' | 'error' | 'inherit';
  title: string;
  description: ReactNode;
  confirmLabel: string;
  reasonLabel?: string;
}) => {
  const [open, setOpen] = useState(false);
  const { mutate, isPending, error, reset } = useDecision(credit, decision, () => setOpen(false));
  const close = () => {
    reset();
    setOpen(false);
  };
  return (
    <>
      <Button size="small" variant={decision === 'approve' ? 'contained' : 'outlined'} color={colour} startIcon={icon} onClick={() => setOpen(true)}>
        {label}
      </Button>
      {open && (
        <DecisionDialog
          open
          onClose={close}
          title={title}
          description={description}
          confirmLabel={confirmLabel}
          reasonLabel={reasonLabel}
          onDecide={reason => mutate(reason)}
          pending={isPending}
          error={error ? failureMessage(error) : null}
        />
      )}
    </>
  );
};

const customerOf = (credit: CreditRecord) => credit.customer_name ?? credit.customer_id;

/**
 * The decisions the signed-in lead or admin may take on `credit`: approve (never their own
 * request), reject (their own is a withdrawal), void an applied credit. Agents see none. The
 * server enforces the same rules.
 */
export const CreditDecisionButtons = ({ credit }: { credit: CreditRecord }) => {
  const { permissions: role } = usePermissions<Role>();
  const { identity } = useGetIdentity();
  const { canApprove, canReject, canVoid, ownRequest } = creditPermissions(credit, role, identity?.id);
  if (!canApprove && !canReject && !canVoid) return null;
  const amount = formatTokenCount(credit.amount);
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
      {canApprove && (
        <DecisionButton
          credit={credit}
          decision="approve"
          label="Approve"
          icon={<Check />}
          colour="primary"
          title={`Approve ${amount} for ${customerOf(credit)}?`}
          description={`Requested by ${credit.requested_by_name ?? credit.requested_by}. The tokens go to the customer at once; there is no undo, only a void.`}
          confirmLabel={`Approve ${amount}`}
        />
      )}
      {canReject && (
        <DecisionButton
          credit={credit}
          decision={ownRequest ? 'withdraw' : 'reject'}
          label={ownRequest ? 'Withdraw' : 'Reject'}
          icon={<Block />}
          colour="inherit"
          title={ownRequest ? `Withdraw your request for ${amount}?` : `Reject ${amount} for ${customerOf(credit)}?`}
          description="Nothing is credited, and the runs it held can be credited again."
          confirmLabel={ownRequest ? 'Withdraw' : 'Reject'}
          reasonLabel={ownRequest ? 'Why withdraw it' : 'Why reject it'}
        />
      )}
      {canVoid && (
        <DecisionButton
          credit={credit}
          decision="void"
          label="Void"
          icon={<Undo />}
          colour="error"
          title={`Void this credit of ${amount}?`}
          description={`A credit-void entry takes ${amount} back from ${customerOf(credit)}’s balance, which may go negative if they were spent.`}
          confirmLabel={`Void ${amount}`}
          reasonLabel="Why void it"
        />
      )}
    </Stack>
  );
};
