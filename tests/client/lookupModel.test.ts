import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import type { AppDataProvider } from '../../client/dataProvider.ts';
import {
  lookupDestination,
  lookupFailureMessage,
  lookupRoutePath,
  mayBeName,
  resolveLookup,
  withTicketContext,
} from '../../client/lookup/lookupModel.ts';
import { buildCustomer } from './recordBuilders.ts';

describe('lookupDestination', () => {
  it('sends a chat to its review, a customer to its 360, a run to its detail', () => {
    expect(lookupDestination({ type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' })).toBe('/chats/cht_42/show');
    expect(lookupDestination({ type: 'customer', id: 'cus_7', customer_id: 'cus_7' })).toBe('/customers/cus_7/show');
    expect(lookupDestination({ type: 'generation', id: 'gen_1', customer_id: 'cus_7', chat_id: 'cht_42' })).toBe('/generations/gen_1/show');
  });

  it('sends a ledger entry to its run, or to the customer’s usage history when it has none', () => {
    const entry = { type: 'transaction', id: 'tx_9', customer_id: 'cus_7' } as const;
    expect(lookupDestination(entry, { generation_id: 'gen_1' })).toBe('/generations/gen_1/show');
    expect(lookupDestination(entry, { generation_id: null })).toBe('/customers/cus_7/show');
  });

  it('escapes ids in paths', () => {
    expect(lookupDestination({ type: 'customer', id: 'cus/7?x', customer_id: 'cus/7?x' })).toBe('/customers/cus%2F7%3Fx/show');
  });
});

describe('resolveLookup', () => {
  const provider = (overrides: Partial<AppDataProvider>) => overrides as AppDataProvider;

  it('asks only the lookup for a chat', async () => {
    const getOne = vi.fn();
    const lookup = vi.fn(async () => ({ type: 'chat' as const, id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' }));

    await expect(resolveLookup(provider({ lookup, getOne }), 'cht_42')).resolves.toEqual({ kind: 'open', path: '/chats/cht_42/show' });
    expect(lookup).toHaveBeenCalledWith('cht_42');
    expect(getOne).not.toHaveBeenCalled();
  });

  it('reads a ledger entry to find its run', async () => {
    const lookup = vi.fn(async () => ({ type: 'transaction' as const, id: 'tx_9', customer_id: 'cus_7' }));
    const getOne = vi.fn(async () => ({ data: { id: 'tx_9', generation_id: 'gen_3' } }));

    await expect(resolveLookup(provider({ lookup, getOne: getOne as never }), 'tx_9')).resolves.toEqual({ kind: 'open', path: '/generations/gen_3/show' });
    expect(getOne).toHaveBeenCalledWith('transactions', { id: 'tx_9' });
  });

  const notFound = () => Promise.reject(new HttpError('No chat, customer, generation or transaction has the id "Grace".', 404, {}));

  it('searches customer names when the lookup finds no id: one match opens, several are offered', async () => {
    const grace = buildCustomer({ id: 'cus_7', name: 'Grace Hopper' });
    const gracie = buildCustomer({ id: 'cus_8', name: 'Gracie Allen', email: 'gracie@example.com' });
    const getList = vi.fn(async () => ({ data: [grace, gracie], total: 9 }));

    await expect(resolveLookup(provider({ lookup: vi.fn(notFound), getList: getList as never }), 'Grace')).resolves.toEqual({
      kind: 'choose',
      customers: [grace, gracie],
      total: 9,
    });
    expect(getList).toHaveBeenCalledWith('customers', {
      filter: { q: 'Grace' },
      pagination: { page: 1, perPage: 5 },
      sort: { field: 'name', order: 'ASC' },
    });

    getList.mockResolvedValueOnce({ data: [grace], total: 1 });
    await expect(resolveLookup(provider({ lookup: vi.fn(notFound), getList: getList as never }), 'Grace H')).resolves.toEqual({
      kind: 'open',
      path: '/customers/cus_7/show',
    });
  });

  it('passes the 404 on when no name matches, and searches no names for a URL, an e-mail or another failure', async () => {
    const getList = vi.fn(async () => ({ data: [], total: 0 }));
    await expect(resolveLookup(provider({ lookup: vi.fn(notFound), getList: getList as never }), 'Grace')).rejects.toMatchObject({ status: 404 });
    expect(getList).toHaveBeenCalledTimes(1);

    getList.mockClear();
    await expect(resolveLookup(provider({ lookup: vi.fn(notFound), getList: getList as never }), 'https://x.example/c/1')).rejects.toMatchObject({ status: 404 });
    await expect(resolveLookup(provider({ lookup: vi.fn(notFound), getList: getList as never }), 'grace@example.com')).rejects.toMatchObject({ status: 404 });
    const busy = () => Promise.reject(new HttpError('Busy', 503, {}));
    await expect(resolveLookup(provider({ lookup: vi.fn(busy), getList: getList as never }), 'Grace')).rejects.toMatchObject({ status: 503 });
    expect(getList).not.toHaveBeenCalled();
  });

  it('takes a name to be text with a letter, not a URL or an e-mail', () => {
    expect(['Grace', 'grace hopper', 'Zoë', 'cht_4'].map(mayBeName)).toEqual([true, true, true, true]);
    expect(['12345', 'a/b', 'x@y.z', 'a'.repeat(101)].map(mayBeName)).toEqual([false, false, false, false]);
  });
});

describe('withTicketContext', () => {
  it('adds the ticket context to a path, and nothing without one', () => {
    expect(withTicketContext('/chats/cht_42/show', { ticket: 'ZD-1', at: '2026-11-20T10:04', expected: 'a cat', received: 'a dog' })).toBe(
      '/chats/cht_42/show?ticket=ZD-1&at=2026-11-20T10%3A04&expected=a+cat&received=a+dog',
    );
    expect(withTicketContext('/customers?filter=x', { ticket: 'ZD-1' })).toBe('/customers?filter=x&ticket=ZD-1');
    expect(withTicketContext('/chats/cht_42/show', {})).toBe('/chats/cht_42/show');
  });
});

describe('lookupFailureMessage', () => {
  it('passes on the server’s words when nothing matches', () => {
    const notFound = new HttpError('Nothing matches "1234" (tried as a chat ID, e-mail and id).', 404, {});
    expect(lookupFailureMessage(notFound, '1234')).toBe('Nothing matches "1234" (tried as a chat ID, e-mail and id).');
    expect(lookupFailureMessage(new HttpError('', 404, {}), '1234')).toBe('Nothing matches “1234”.');
  });

  it('says no name matched either when the text may be a name', () => {
    expect(lookupFailureMessage(new HttpError('No chat, customer, generation or transaction has the id "nobody".', 404, {}), 'nobody')).toBe(
      'No chat, customer, generation or transaction has the id "nobody". No customer’s name starts with it either.',
    );
  });

  it('names other failures', () => {
    expect(lookupFailureMessage(new HttpError('Too many requests', 429, {}), 'x')).toBe('The lookup failed: Too many requests');
    expect(lookupFailureMessage(new TypeError('Failed to fetch'), 'x')).toBe('Could not reach Token Desk. Check your connection and try again.');
  });
});

describe('lookupRoutePath', () => {
  it('builds the deep-link path', () => {
    expect(lookupRoutePath('https://studio.example.com/chat/cht_42?tab=runs')).toBe(
      '/lookup?q=https%3A%2F%2Fstudio.example.com%2Fchat%2Fcht_42%3Ftab%3Druns',
    );
  });

  it('keeps the ticket context of a helpdesk link', () => {
    expect(lookupRoutePath('cht_42', { ticket: 'ZD-1', received: 'a dog' })).toBe('/lookup?q=cht_42&ticket=ZD-1&received=a+dog');
  });
});
