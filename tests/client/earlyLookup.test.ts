import { afterEach, describe, expect, it, vi } from 'vitest';
import { askLookup, dataProvider } from '../../client/dataProvider.ts';
import { helpdeskLinkQuery, openHelpdeskLink, startEarlyLookup } from '../../client/lookup/earlyLookup.ts';
import type { LookupResult } from '../../shared/lookup.ts';
import { jsonResponse, stubFetch } from './fetchStub.ts';

afterEach(() => vi.unstubAllGlobals());

const chat = { type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' };

describe('the early lookup of a helpdesk link', () => {
  it('reads q of a lookup link, trimmed, and nothing else', () => {
    expect(helpdeskLinkQuery('#/lookup?q=%20cht_42%20&ticket=T-1')).toBe('cht_42');
    expect(helpdeskLinkQuery('#/lookup?ticket=T-1')).toBeNull();
    expect(helpdeskLinkQuery('#/lookup?q=')).toBeNull();
    expect(helpdeskLinkQuery('#/chats/cht_42/show')).toBeNull();
    expect(helpdeskLinkQuery('')).toBeNull();
  });

  it('answers the lookup page from the question asked while the app loaded, once', async () => {
    const fetchMock = stubFetch(() => jsonResponse(chat));

    await expect(startEarlyLookup('cht_42', askLookup)).resolves.toEqual(chat);
    await expect(dataProvider.lookup('cht_42')).resolves.toEqual(chat);
    expect(fetchMock).toHaveBeenCalledTimes(1);

    await expect(dataProvider.lookup('cht_42')).resolves.toEqual(chat);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('asks again when the early question failed, so the page meets the real answer', async () => {
    const fetchMock = stubFetch(() =>
      fetchMock.mock.calls.length === 1 ? jsonResponse({ error: { code: 'unauthenticated', message: 'Sign in first.' } }, 401) : jsonResponse(chat),
    );

    await expect(startEarlyLookup('cht_42', askLookup)).resolves.toBeNull();
    await expect(dataProvider.lookup('cht_42')).resolves.toEqual(chat);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('does not answer another text with the early answer', async () => {
    const other = { type: 'customer', id: 'cus_9', customer_id: 'cus_9' };
    const fetchMock = stubFetch(url => (url.includes('cus_9') ? jsonResponse(other) : jsonResponse(chat)));

    await startEarlyLookup('cht_42', askLookup);
    await expect(dataProvider.lookup('cus_9')).resolves.toEqual(other);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});

describe('a helpdesk link opened in a new tab', () => {
  const linkHash = '#/lookup?q=cht_42&ticket=ZD-1&at=2026-11-20T10%3A04';
  const answering = (answer: LookupResult, afterMs = 0) =>
    vi.fn((_q: string) => new Promise<LookupResult>(resolve => setTimeout(() => resolve(answer), afterMs)));

  afterEach(() => window.history.replaceState(null, '', '/'));

  it('opens on the chat itself, with the ticket, when the answer comes before the first render', async () => {
    window.history.replaceState(null, '', `/${linkHash}`);
    const ask = answering(chat as LookupResult);
    const onChat = vi.fn(async () => undefined);

    await openHelpdeskLink(window.location.hash, ask, { onChat });

    expect(ask).toHaveBeenCalledWith('cht_42');
    expect(window.location.hash).toBe('#/chats/cht_42/show?ticket=ZD-1&at=2026-11-20T10%3A04');
    expect(onChat).toHaveBeenCalledTimes(1);
    expect(window.history.length).toBe(1);
  });

  it('leaves the link to its lookup page when the answer is late, which then takes it', async () => {
    window.history.replaceState(null, '', `/${linkHash}`);
    const fetchMock = stubFetch(() => jsonResponse(chat));
    const ask = answering(chat as LookupResult, 50);

    await openHelpdeskLink(window.location.hash, ask, { waitMs: 10 });

    expect(window.location.hash).toBe(linkHash);
    await expect(dataProvider.lookup('cht_42')).resolves.toEqual(chat);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('leaves a ledger entry, a failed answer and any other address to the app', async () => {
    window.history.replaceState(null, '', '/#/lookup?q=tx_1');
    await openHelpdeskLink(window.location.hash, answering({ type: 'transaction', id: 'tx_1', customer_id: 'cus_7' }));
    expect(window.location.hash).toBe('#/lookup?q=tx_1');

    window.history.replaceState(null, '', `/${linkHash}`);
    await openHelpdeskLink(window.location.hash, () => Promise.reject(new Error('offline')));
    expect(window.location.hash).toBe(linkHash);

    const ask = answering(chat as LookupResult);
    window.history.replaceState(null, '', '/#/credits');
    await openHelpdeskLink(window.location.hash, ask);
    expect(ask).not.toHaveBeenCalled();
    expect(window.location.hash).toBe('#/credits');
  });
});
