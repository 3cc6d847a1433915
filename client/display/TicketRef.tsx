import OpenInNew from '@mui/icons-material/OpenInNew';
import { Link } from '@mui/material';
import { useGetIdentity } from 'react-admin';
import type { StaffIdentity } from '../authProvider.ts';
import { ticketUrl } from './ticketLink.ts';
import { VisuallyHidden } from './VisuallyHidden.tsx';

/** The helpdesk's ticket address of the signed-in session (HELPDESK_TICKET_URL), or null. */
export const useHelpdeskTicketUrl = (): string | null => {
  const { identity } = useGetIdentity();
  return (identity as Partial<StaffIdentity> | undefined)?.helpdesk_ticket_url ?? null;
};

/**
 * A ticket reference ("ZD-48213"): a link back to the ticket in the helpdesk when the console
 * knows its address, plain text otherwise. Use it wherever a reference is shown.
 */
export const TicketRef = ({ reference }: { reference: string | null | undefined }) => {
  const template = useHelpdeskTicketUrl();
  if (!reference) return <span>—</span>;
  const href = ticketUrl(template, reference);
  if (!href) return <span>{reference}</span>;
  return (
    <Link
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, overflowWrap: 'anywhere' }}
    >
      {reference}
      <OpenInNew fontSize="inherit" aria-hidden />
      <VisuallyHidden> (opens the ticket in the helpdesk, in a new tab)</VisuallyHidden>
    </Link>
  );
};
