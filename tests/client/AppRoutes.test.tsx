import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { memoryStore } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../client/App.tsx';
import { forgetSession } from '../../client/session.ts';
import { jsonResponse, leadSession, stubFetch } from './fetchStub.ts';
import { quietHomeReports } from './homeFixtures.ts';
import { buildChat, buildCustomer, buildEntry, buildRun } from './recordBuilders.ts';

/** The API as the console meets it over HTTP: a lead's session, one chat and its customer, runs and entries; other lists empty. */
const api = (url: string): Response => {
  const { pathname, searchParams } = new URL(url, 'http://desk.test');
  const page = (resource: string, rows: unknown[]) =>
    jsonResponse(rows, 200, { 'Content-Range': rows.length ? `${resource} 0-${rows.length - 1}/${rows.length}` : `${resource} */0` });
  switch (pathname) {
    case '/api/auth/me':
      return jsonResponse(leadSession);
    case '/api/lookup':
      return searchParams.get('q') === 'https://studio.example.com/agents/chat/cht_42'
        ? jsonResponse({ type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' })
        : jsonResponse({ code: 'not_found', message: `Nothing matches "${searchParams.get('q')}".` }, 404);
    case '/api/chats/cht_42':
      return jsonResponse(buildChat());
    case '/api/customers/cus_7':
      return jsonResponse(buildCustomer());
    case '/api/generations':
      return page('generations', [buildRun({ asset_count: 0 })]);
    case '/api/transactions':
      return page('transactions', [buildEntry()]);
    default:
      if (pathname in quietHomeReports) return jsonResponse(quietHomeReports[pathname]);
      // Any other list the shell asks for (menu badges, dashboards) is simply empty here.
      return searchParams.has('range')
        ? page(pathname.slice('/api/'.length), [])
        : jsonResponse({ code: 'not_found', message: `No route ${pathname}` }, 404);
  }
};

beforeEach(() => forgetSession());
afterEach(() => {
  vi.unstubAllGlobals();
  window.location.hash = '#/';
});

describe('the console routes', () => {
  it('opens a helpdesk deep link (/#/lookup?q=<chat URL>) on the chat review', async () => {
    const fetchMock = stubFetch(api);
    window.location.hash = `#/lookup?q=${encodeURIComponent('https://studio.example.com/agents/chat/cht_42')}`;

    render(<App store={memoryStore()} />);

    expect(await screen.findByRole('heading', { name: 'Spring campaign visuals' }, { timeout: 5000 })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/chats/cht_42/show');
    const runs = await screen.findByRole('region', { name: 'Runs' });
    expect(await within(runs).findByText('No refund')).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url]) => String(url).startsWith('/api/lookup?q=https%3A%2F%2Fstudio.example.com'))).toBe(true);
  });

  it('keeps the lookup box in the app bar: "/" then a pasted chat URL and Enter', async () => {
    const user = userEvent.setup();
    stubFetch(api);
    window.location.hash = '#/';
    render(<App store={memoryStore()} />);
    await screen.findByRole('heading', { name: 'Welcome, Ada Lovelace' });

    await user.keyboard('/');
    await user.paste('https://studio.example.com/agents/chat/cht_42');
    await user.keyboard('{Enter}');

    expect(await screen.findByRole('heading', { name: 'Spring campaign visuals' }, { timeout: 5000 })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/chats/cht_42/show');
  });
});
