import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { LookupPage } from '../../client/lookup/LookupPage.tsx';
import type { LookupResult } from '../../shared/lookup.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildCustomer } from './recordBuilders.ts';

const openDeepLink = (path: string, lookup: (q: string) => Promise<LookupResult>) => {
  const api = fakeApi({}, lookup);
  const view = renderPage({ element: <LookupPage />, path, route: '/lookup', dataProvider: api.dataProvider });
  return { ...api, ...view };
};

const notFound = (q: string) =>
  new HttpError(`Nothing matches "${q}".`, 404, { code: 'not_found', message: `Nothing matches "${q}".` });

describe('the lookup route', () => {
  it('resolves a deep link to a chat URL and replaces itself with the chat review', async () => {
    let answer: (result: LookupResult) => void = () => {};
    const { lookup, location } = openDeepLink(
      `/lookup?q=${encodeURIComponent('https://studio.example.com/agents/chat/cht_42')}`,
      () => new Promise(resolve => (answer = resolve)),
    );

    expect(await screen.findByRole('status')).toHaveTextContent('Looking up “https://studio.example.com/agents/chat/cht_42”…');
    answer({ type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' });

    await waitFor(() => expect(location.current?.pathname).toBe('/chats/cht_42/show'));
    expect(lookup).toHaveBeenCalledWith('https://studio.example.com/agents/chat/cht_42');
  });

  it('says what did not match and lets the agent edit the text and try again', async () => {
    const user = userEvent.setup();
    const { lookup, location } = openDeepLink('/lookup?q=cht_4', async q => {
      if (q === 'cht_42') return { type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' };
      throw notFound(q);
    });

    expect(await screen.findByText('Nothing matches "cht_4". No customer’s name starts with it either.')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
    const field = screen.getByRole('textbox', { name: 'Look up' });
    expect(field).toHaveValue('cht_4');

    await user.type(field, '2', { initialSelectionStart: 5, initialSelectionEnd: 5 });
    await user.click(screen.getByRole('button', { name: 'Look up' }));

    await waitFor(() => expect(location.current?.pathname).toBe('/chats/cht_42/show'));
    expect(lookup).toHaveBeenLastCalledWith('cht_42');
  });

  it('tries the same text again on request', async () => {
    const user = userEvent.setup();
    let attempts = 0;
    const { location } = openDeepLink('/lookup?q=cus_7', async q => {
      attempts += 1;
      if (attempts === 1) throw new HttpError('Too many requests, slow down.', 429, {});
      return { type: 'customer', id: q, customer_id: q };
    });

    expect(await screen.findByText('The lookup failed: Too many requests, slow down.')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
    await user.click(screen.getByRole('button', { name: 'Try again' }));

    await waitFor(() => expect(location.current?.pathname).toBe('/customers/cus_7/show'));
  });

  it('asks for the text when the link carries none', async () => {
    const { lookup } = openDeepLink('/lookup', async () => {
      throw new Error('not called');
    });

    expect(await screen.findByText(/Paste a chat ID or chat URL/)).toBeInTheDocument();
    expect(lookup).not.toHaveBeenCalled();
  });

  it('carries the ticket context of a helpdesk link to the page it opens', async () => {
    const ticket = '&ticket=ZD-48213&at=2026-11-20T10%3A04&expected=A+red+car&received=A+blue+car';
    const { location } = openDeepLink(`/lookup?q=C0FFEE00-0000-4000-8000-000000000001${ticket}`, async () => ({
      type: 'chat',
      id: 'c0ffee00-0000-4000-8000-000000000001',
      customer_id: 'cus_7',
      chat_id: 'c0ffee00-0000-4000-8000-000000000001',
    }));

    await waitFor(() => expect(location.current?.pathname).toBe('/chats/c0ffee00-0000-4000-8000-000000000001/show'));
    expect(new URLSearchParams(location.current?.search)).toEqual(
      new URLSearchParams({ ticket: 'ZD-48213', at: '2026-11-20T10:04', expected: 'A red car', received: 'A blue car' }),
    );
  });

  it('offers the customers a name matches, each link keeping the ticket context', async () => {
    const api = fakeApi(
      {
        customers: [
          buildCustomer({ id: 'cus_7', name: 'Maya Chen', email: 'maya.chen@example.com' }),
          buildCustomer({ id: 'cus_9', name: 'Maya Chen', email: 'maya@studio.example' }),
        ],
      },
      async q => Promise.reject(notFound(q)),
    );
    renderPage({ element: <LookupPage />, path: '/lookup?q=Maya&ticket=ZD-1', route: '/lookup', dataProvider: api.dataProvider });

    const choices = await screen.findByRole('navigation', { name: 'Customers matching “Maya”' });
    vi.mocked(console.error).mockClear();
    expect(within(choices).getByRole('link', { name: /maya\.chen@example\.com · cus_7/ })).toHaveAttribute('href', '/customers/cus_7/show?ticket=ZD-1');
    expect(within(choices).getByRole('link', { name: /maya@studio\.example · cus_9/ })).toHaveAttribute('href', '/customers/cus_9/show?ticket=ZD-1');
  });
});
