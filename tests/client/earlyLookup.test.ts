import { afterEach, describe, expect, it, vi } from 'vitest';
import { askLookup, dataProvider } from '../../client/dataProvider.ts';
import { helpdeskLinkQuery, startEarlyLookup } from '../../client/lookup/earlyLookup.ts';
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
