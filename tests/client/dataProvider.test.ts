import { HttpError } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataProvider } from '../../client/dataProvider.ts';
import { forgetSession, rememberSession } from '../../client/session.ts';
import { jsonResponse, leadSession, sentRequest, stubFetch } from './fetchStub.ts';

beforeEach(() => rememberSession(leadSession));
afterEach(() => {
  forgetSession();
  vi.unstubAllGlobals();
});

const jsonParam = (url: URL, name: string): unknown => JSON.parse(url.searchParams.get(name) ?? 'null');

describe('getList', () => {
  it('asks with the simple-REST filter, range and sort, and reads the total from Content-Range', async () => {
    const customers = [{ id: 'cus_1', name: 'Grace' }];
    const fetchMock = stubFetch(() => jsonResponse(customers, 200, { 'Content-Range': 'customers 25-25/26' }));

    const page = await dataProvider.getList('customers', {
      pagination: { page: 2, perPage: 25 },
      sort: { field: 'name', order: 'ASC' },
      filter: { q: 'grace', plan: 'pro' },
    });

    const { url } = sentRequest(fetchMock);
    expect(url.pathname).toBe('/api/customers');
    expect(jsonParam(url, 'filter')).toEqual({ q: 'grace', plan: 'pro' });
    expect(jsonParam(url, 'range')).toEqual([25, 49]);
    expect(jsonParam(url, 'sort')).toEqual(['name', 'ASC']);
    expect(page).toEqual({ data: customers, total: 26 });
  });

  it('reads with the cookie and without a CSRF token', async () => {
    const fetchMock = stubFetch(() => jsonResponse([], 200, { 'Content-Range': 'customers */0' }));

    const page = await dataProvider.getList('customers', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'id', order: 'ASC' },
      filter: {},
    });

    const sent = sentRequest(fetchMock);
    expect(sent.credentials).toBe('same-origin');
    expect(sent.headers.get('Accept')).toBe('application/json');
    expect(sent.headers.has('X-CSRF-Token')).toBe(false);
    expect(page.total).toBe(0);
  });
});

describe('writes', () => {
  it('send the CSRF token from the session', async () => {
    const fetchMock = stubFetch(() => jsonResponse({ id: 'stf_bo', role: 'lead' }));

    await dataProvider.update('staff', { id: 'stf_bo', data: { role: 'lead' }, previousData: { id: 'stf_bo', role: 'agent' } });

    const sent = sentRequest(fetchMock);
    expect(sent.url.pathname).toBe('/api/staff/stf_bo');
    expect(sent.method).toBe('PUT');
    expect(sent.credentials).toBe('same-origin');
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
    expect(sent.json).toEqual({ role: 'lead' });
  });

  it("reject with an HttpError whose body carries the server's field errors", async () => {
    const answer = { code: 'validation_failed', message: 'Check the highlighted fields.', errors: { email: 'Already in use' } };
    stubFetch(() => jsonResponse(answer, 400));

    const failure = dataProvider.create('staff', { data: { email: 'ada@example.com' } });

    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toMatchObject({ status: 400, message: 'Check the highlighted fields.', body: answer });
  });
});

describe('lookup', () => {
  it('asks GET /api/lookup with the pasted text and answers what it names', async () => {
    const found = { type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' };
    const fetchMock = stubFetch(() => jsonResponse(found));

    const result = await dataProvider.lookup('https://studio.example.com/chat/cht_42?tab=runs');

    const sent = sentRequest(fetchMock);
    expect(sent.method).toBe('GET');
    expect(sent.url.pathname).toBe('/api/lookup');
    expect(sent.url.searchParams.get('q')).toBe('https://studio.example.com/chat/cht_42?tab=runs');
    expect(sent.credentials).toBe('same-origin');
    expect(result).toEqual(found);
  });

  it('rejects with the server message when nothing matches', async () => {
    stubFetch(() => jsonResponse({ code: 'not_found', message: 'Nothing matches "nobody".' }, 404));

    await expect(dataProvider.lookup('nobody')).rejects.toMatchObject({ status: 404, message: 'Nothing matches "nobody".' });
  });
});
