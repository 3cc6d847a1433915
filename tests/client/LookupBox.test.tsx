import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { LookupBox } from '../../client/lookup/LookupBox.tsx';
import type { LookupResult } from '../../shared/lookup.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildCustomer, buildEntry } from './recordBuilders.ts';

const openLookupBox = (lookup?: (q: string) => Promise<LookupResult>) => {
  const api = fakeApi(
    {
      transactions: [
        buildEntry({ id: 'tx_charge_1', generation_id: 'gen_1' }),
        buildEntry({ id: 'tx_purchase_1', kind: 'purchase', amount: 5000, generation_id: null, chat_id: null, tool: null }),
      ],
    },
    lookup,
  );
  const view = renderPage({
    element: (
      <>
        <LookupBox />
        <label>
          Internal note
          <input />
        </label>
      </>
    ),
    path: '/',
    dataProvider: api.dataProvider,
  });
  return { ...api, ...view };
};

const box = () => screen.getByRole('textbox', { name: 'Look up a chat, customer, run or transaction' });

describe('the lookup box', () => {
  it('takes the focus when "/" is pressed outside a field', async () => {
    const user = userEvent.setup();
    openLookupBox();

    await user.keyboard('/');

    expect(box()).toHaveFocus();
    expect(box()).toHaveValue('');
  });

  it('leaves "/" alone while the agent types in another field', async () => {
    const user = userEvent.setup();
    openLookupBox();

    await user.type(screen.getByRole('textbox', { name: 'Internal note' }), 'a/b');

    expect(screen.getByRole('textbox', { name: 'Internal note' })).toHaveValue('a/b');
    expect(box()).not.toHaveFocus();
  });

  it.each([
    [{ type: 'chat', id: 'cht_42', customer_id: 'cus_7', chat_id: 'cht_42' }, '/chats/cht_42/show'],
    [{ type: 'customer', id: 'cus_7', customer_id: 'cus_7' }, '/customers/cus_7/show'],
    [{ type: 'generation', id: 'gen_1', customer_id: 'cus_7', chat_id: 'cht_42' }, '/generations/gen_1/show'],
    [{ type: 'transaction', id: 'tx_charge_1', customer_id: 'cus_7', chat_id: 'cht_42' }, '/generations/gen_1/show'],
    [{ type: 'transaction', id: 'tx_purchase_1', customer_id: 'cus_7' }, '/customers/cus_7/show'],
  ] as const)('looks up the trimmed text on Enter and opens a %s', async (result, destination) => {
    const user = userEvent.setup();
    const { lookup, getOne, location } = openLookupBox(async () => result);

    await user.keyboard('/');
    await user.paste('  https://studio.example.com/agents/chat/cht_42?tab=1 \n');
    await user.keyboard('{Enter}');

    await waitFor(() => expect(location.current?.pathname).toBe(destination));
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('https://studio.example.com/agents/chat/cht_42?tab=1');
    if (result.type === 'transaction') expect(getOne).toHaveBeenCalledWith('transactions', { id: result.id });
    else expect(getOne).not.toHaveBeenCalled();
    expect(box()).toHaveValue('');
  });

  it('says beside the box when nothing matches, and stays on the page', async () => {
    const user = userEvent.setup();
    const { lookup, location } = openLookupBox(async q => {
      throw new HttpError(`Nothing matches "${q}" as a chat ID, e-mail, customer, run or transaction id.`, 404, {
        code: 'not_found',
        message: `Nothing matches "${q}" as a chat ID, e-mail, customer, run or transaction id.`,
      });
    });

    await user.type(box(), 'nobody@example.com{Enter}');

    const message = await screen.findByRole('alert');
    expect(message).toHaveTextContent('Nothing matches "nobody@example.com" as a chat ID, e-mail, customer, run or transaction id.');
    expect(message).toHaveTextContent('Tried: “nobody@example.com”.');
    expect(box()).toHaveAccessibleDescription(/Nothing matches "nobody@example.com"/);
    expect(lookup).toHaveBeenCalledWith('nobody@example.com');
    expect(location.current?.pathname).toBe('/');
    // react-admin's data provider wrapper logs every failed call in development.
    expect(console.error).toHaveBeenCalledWith(expect.objectContaining({ status: 404 }));
    vi.mocked(console.error).mockClear();

    await user.type(box(), 'x');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('asks for something to look up instead of calling the server with nothing', async () => {
    const user = userEvent.setup();
    const { lookup } = openLookupBox();

    await user.type(box(), '   {Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Paste a chat ID or chat URL, a customer e-mail, name or id, or a run or transaction id.',
    );
    expect(lookup).not.toHaveBeenCalled();
  });

  it('clears the text with its clear button and keeps the focus for the next paste', async () => {
    const user = userEvent.setup();
    openLookupBox();
    expect(screen.queryByRole('button', { name: 'Clear the lookup' })).not.toBeInTheDocument();

    await user.type(box(), 'cht_4');
    await user.click(screen.getByRole('button', { name: 'Clear the lookup' }));

    expect(box()).toHaveValue('');
    expect(box()).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Clear the lookup' })).not.toBeInTheDocument();
  });

  it('selects its text when it gets focus, so a new paste replaces it', async () => {
    const user = userEvent.setup();
    const { lookup } = openLookupBox(async () => Promise.reject(new HttpError('Nothing matches.', 404, {})));
    await user.type(box(), '12345{Enter}');
    await screen.findByRole('alert');
    expect(console.error).toHaveBeenCalledWith(expect.objectContaining({ status: 404 }));
    vi.mocked(console.error).mockClear();
    await user.click(screen.getByRole('textbox', { name: 'Internal note' }));

    await user.click(box());
    const input = box() as HTMLInputElement;
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, 5]);
    await user.paste('67890');

    expect(box()).toHaveValue('67890');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(lookup).toHaveBeenLastCalledWith('67890'));
    await screen.findByRole('alert');
    vi.mocked(console.error).mockClear();
  });

  it("offers the customers whose names start with the text when it names no id, and opens the one picked", async () => {
    const user = userEvent.setup();
    const api = fakeApi(
      {
        customers: [
          buildCustomer({ id: 'cus_7', name: 'Maya Chen', email: 'maya.chen@example.com' }),
          buildCustomer({ id: 'cus_9', name: 'Maya Chen', email: 'maya@studio.example' }),
        ],
      },
      async q => Promise.reject(new HttpError(`No chat, customer, generation or transaction has the id "${q}".`, 404, {})),
    );
    const { location } = renderPage({ element: <LookupBox />, path: '/', dataProvider: api.dataProvider });

    await user.type(box(), 'maya{Enter}');

    const choices = await screen.findByRole('navigation', { name: 'Customers matching “maya”' });
    expect(choices).toHaveTextContent('2 customers match “maya”. Pick one:');
    expect(api.getList).toHaveBeenCalledWith('customers', expect.objectContaining({ filter: { q: 'maya' } }));
    vi.mocked(console.error).mockClear();
    await user.click(screen.getByRole('link', { name: /maya@studio\.example · cus_9/ }));

    expect(location.current?.pathname).toBe('/customers/cus_9/show');
    expect(box()).toHaveValue('');
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
  });
});
