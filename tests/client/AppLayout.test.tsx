import { act, cleanup, render, screen } from '@testing-library/react';
import { memoryStore } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../client/App.tsx';
import { forgetSession } from '../../client/session.ts';
import { jsonResponse, leadSession, stubFetch } from './fetchStub.ts';
import { quietHomeReports } from './homeFixtures.ts';

/** A lead's session whose lists are empty and whose home reports are quiet. */
const quietApi = (url: string): Response => {
  const { pathname, searchParams } = new URL(url, 'http://desk.test');
  if (pathname === '/api/auth/me') return jsonResponse(leadSession);
  if (pathname in quietHomeReports) return jsonResponse(quietHomeReports[pathname]);
  if (searchParams.has('range')) return jsonResponse([], 200, { 'Content-Range': `${pathname.slice('/api/'.length)} */0` });
  return jsonResponse({ code: 'not_found', message: `No route ${pathname}` }, 404);
};

const setWindowWidth = (width: number) =>
  act(() => (window as unknown as { happyDOM: { setViewport(size: { width: number; height: number }): void } }).happyDOM.setViewport({ width, height: 800 }));

/** The class react-admin gives the docked sidebar: `RaSidebar-open` or `RaSidebar-closed`. */
const sidebarState = () => {
  const drawer = document.querySelector('.RaSidebar-docked');
  if (!drawer) throw new Error('No docked sidebar on the page');
  return drawer.classList.contains('RaSidebar-closed') ? 'closed' : 'open';
};

const renderShell = async (store = memoryStore()) => {
  render(<App store={store} />);
  await screen.findByRole('heading', { name: 'Your credits' });
  return store;
};

beforeEach(() => {
  forgetSession();
  window.location.hash = '#/';
  stubFetch(quietApi);
});
afterEach(async () => {
  // Unmounted first: a resize must not wake a console whose network is gone.
  cleanup();
  await setWindowWidth(1024);
  vi.unstubAllGlobals();
});

describe('the sidebar and the window', () => {
  it('starts collapsed to its icons below 1280 px, so the screens keep their room', async () => {
    await setWindowWidth(1024);
    await renderShell();
    expect(sidebarState()).toBe('closed');
  });

  it('starts open from 1280 px, closes as the window narrows and opens again as it widens', async () => {
    await setWindowWidth(1440);
    await renderShell();
    expect(sidebarState()).toBe('open');
    await setWindowWidth(1100);
    expect(sidebarState()).toBe('closed');
    await setWindowWidth(1280);
    expect(sidebarState()).toBe('open');
  });

  it('keeps a wide window\'s sidebar as the person left it', async () => {
    await setWindowWidth(1440);
    const store = memoryStore({ 'sidebar.open': false });
    await renderShell(store);
    expect(sidebarState()).toBe('closed');
  });
});
