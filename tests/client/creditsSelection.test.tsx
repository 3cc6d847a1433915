import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ListBase } from 'react-admin';
import { describe, expect, it } from 'vitest';
import { CustomerCredits } from '../../client/credits/CustomerCredits.tsx';
import { RunsTable } from '../../client/generations/RunsTable.tsx';
import { buildCredit } from './creditsBuilders.ts';
import { agent, creditsApi, renderAs } from './creditsHarness.tsx';
import { buildRun } from './recordBuilders.ts';

configure({ asyncUtilTimeout: 5000 });

const runsOf = (runs: ReturnType<typeof buildRun>[]) => {
  const api = creditsApi({ generations: runs, assets: [] });
  const view = renderAs({
    user: agent,
    element: (
      <ListBase resource="generations" disableSyncWithLocation storeKey={false}>
        <RunsTable empty={{ title: 'No runs', hint: '' }} showCustomer />
      </ListBase>
    ),
    path: '/generations',
    dataProvider: api.dataProvider,
  });
  return { ...api, ...view };
};

describe('crediting selected runs', () => {
  it('opens the credit form for the selected runs', async () => {
    const user = userEvent.setup();
    const { location } = runsOf([buildRun({ id: 'gen_1' }), buildRun({ id: 'gen_2' }), buildRun({ id: 'gen_3' })]);
    await screen.findByRole('link', { name: 'gen_1' });

    await user.click(within(screen.getByRole('row', { name: /gen_1/ })).getByRole('checkbox'));
    await user.click(within(screen.getByRole('row', { name: /gen_3/ })).getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Credit selected runs' }));

    expect(`${location.current?.pathname}${location.current?.search}`).toBe('/credits/create?runs=gen_1%2Cgen_3');
  });

  it('refuses a selection spanning customers: one credit is for one customer', async () => {
    const user = userEvent.setup();
    runsOf([buildRun({ id: 'gen_1' }), buildRun({ id: 'gen_2', customer_id: 'cus_8' })]);
    await screen.findByRole('link', { name: 'gen_1' });

    await user.click(within(screen.getByRole('row', { name: /gen_1/ })).getByRole('checkbox'));
    await user.click(within(screen.getByRole('row', { name: /gen_2/ })).getByRole('checkbox'));

    expect(screen.getByText('Select runs of one customer: one credit is for one customer.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Credit selected runs' })).toBeDisabled();
  });
});

describe("a customer's credits", () => {
  it('lists the grants of the customer and starts a goodwill credit', async () => {
    const user = userEvent.setup();
    const api = creditsApi({ credits: [buildCredit(), buildCredit({ id: 'crd_other', customer_id: 'cus_8' })] });
    const { location } = renderAs({ user: agent, element: <CustomerCredits customerId="cus_7" />, path: '/customers/cus_7/show/credits', dataProvider: api.dataProvider });

    expect(await screen.findByRole('link', { name: 'crd_1' })).toHaveAttribute('href', '/credits/crd_1/show');
    expect(screen.queryByRole('link', { name: 'crd_other' })).not.toBeInTheDocument();
    expect(api.getList).toHaveBeenCalledWith('credits', expect.objectContaining({ filter: { customer_id: 'cus_7' } }));
    await user.click(screen.getByRole('link', { name: 'Goodwill credit…' }));

    expect(`${location.current?.pathname}${location.current?.search}`).toBe('/credits/create?customer_id=cus_7');
  });
});
