import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import type { AppDataProvider } from '../../client/dataProvider.ts';
import { lookupDestination, lookupFailureMessage, lookupRoutePath, resolveLookup } from '../../client/lookup/lookupModel.ts';

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

    await expect(resolveLookup(provider({ lookup, getOne }), 'cht_42')).resolves.toBe('/chats/cht_42/show');
    expect(lookup).toHaveBeenCalledWith('cht_42');
    expect(getOne).not.toHaveBeenCalled();
  });

  it('reads a ledger entry to find its run', async () => {
    const lookup = vi.fn(async () => ({ type: 'transaction' as const, id: 'tx_9', customer_id: 'cus_7' }));
    const getOne = vi.fn(async () => ({ data: { id: 'tx_9', generation_id: 'gen_3' } }));

    await expect(resolveLookup(provider({ lookup, getOne: getOne as never }), 'tx_9')).resolves.toBe('/generations/gen_3/show');
    expect(getOne).toHaveBeenCalledWith('transactions', { id: 'tx_9' });
  });
});

describe('lookupFailureMessage', () => {
  it('passes on the server’s words when nothing matches', () => {
    const notFound = new HttpError('Nothing matches "nobody" (tried as a chat ID, e-mail and id).', 404, {});
    expect(lookupFailureMessage(notFound, 'nobody')).toBe('Nothing matches "nobody" (tried as a chat ID, e-mail and id).');
    expect(lookupFailureMessage(new HttpError('', 404, {}), 'nobody')).toBe('Nothing matches “nobody”.');
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
});
