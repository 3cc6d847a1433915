import { render, screen } from '@testing-library/react';
import { AdminContext, type AuthProvider } from 'react-admin';
import { describe, expect, it } from 'vitest';
import { ticketUrl } from '../../client/display/ticketLink.ts';
import { TicketRef } from '../../client/display/TicketRef.tsx';

const signedIn = (helpdesk_ticket_url: string | null): AuthProvider => ({
  login: async () => undefined,
  logout: async () => undefined,
  checkAuth: async () => undefined,
  checkError: async () => undefined,
  getIdentity: async () => ({ id: 'stf_ada', fullName: 'Ada Agent', role: 'agent', helpdesk_ticket_url }),
});

describe('ticketUrl', () => {
  it('puts the reference, escaped, where {ticket} stands', () => {
    expect(ticketUrl('https://support.example.com/tickets/{ticket}', 'ZD-48213')).toBe('https://support.example.com/tickets/ZD-48213');
    expect(ticketUrl('https://help.example.com/a/#/t/{ticket}?v=1', ' 12 34/../x ')).toBe('https://help.example.com/a/#/t/12%2034%2F..%2Fx?v=1');
  });

  it('gives no link without a template, a reference or an https: result', () => {
    expect(ticketUrl(null, 'ZD-1')).toBeNull();
    expect(ticketUrl('https://support.example.com/tickets/{ticket}', '  ')).toBeNull();
    expect(ticketUrl('https://support.example.com/tickets/', 'ZD-1')).toBeNull();
    expect(ticketUrl('javascript:alert(1)//{ticket}', 'ZD-1')).toBeNull();
  });
});

describe('TicketRef', () => {
  it('links a reference back to its ticket in a new tab when the helpdesk is configured', async () => {
    render(
      <AdminContext authProvider={signedIn('https://support.example.com/tickets/{ticket}')}>
        <TicketRef reference="ZD-48213" />
      </AdminContext>,
    );

    const link = await screen.findByRole('link', { name: 'ZD-48213 (opens the ticket in the helpdesk, in a new tab)' });
    expect(link).toHaveAttribute('href', 'https://support.example.com/tickets/ZD-48213');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it('shows the reference as text without a helpdesk address, and a dash without a reference', async () => {
    const { rerender } = render(
      <AdminContext authProvider={signedIn(null)}>
        <TicketRef reference="ZD-48213" />
      </AdminContext>,
    );
    expect(await screen.findByText('ZD-48213')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();

    rerender(
      <AdminContext authProvider={signedIn(null)}>
        <TicketRef reference={null} />
      </AdminContext>,
    );
    expect(screen.getByText('—')).toBeInTheDocument();
  });
});
