import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { zonedWallTimeToUtc } from '../../client/display/zonedTime.ts';
import { viewerTimeZone } from '../../client/display/format.ts';
import { GenerationList } from '../../client/generations/GenerationList.tsx';
import { TransactionList } from '../../client/transactions/TransactionList.tsx';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildEntry, buildRun } from './recordBuilders.ts';

/** A date-time picker of the list's filters, once it has loaded. */
const picker = (label: string) => screen.findByLabelText(label, { selector: 'input:not([disabled])' });

/** The instant the agent's clock reads `wall` at, plus `extraMs`. */
const onAgentClock = (wall: string, extraMs = 0) =>
  new Date(zonedWallTimeToUtc({ year: 2026, month: 11, day: 20, hour: +wall.slice(0, 2), minute: +wall.slice(3, 5) }, viewerTimeZone()).getTime() + extraMs).toISOString();

describe('date filters of the lists', () => {
  it('narrow the ledger to entries made between two times on the agent’s clock', async () => {
    const api = fakeApi({ transactions: [buildEntry()] });
    renderPage({ element: <TransactionList />, path: '/transactions', route: '/transactions/*', resource: 'transactions', dataProvider: api.dataProvider });

    fireEvent.change(await picker('From'), { target: { value: '2026-11-20 09:00' } });
    fireEvent.change(await picker('To'), { target: { value: '2026-11-20 10:30' } });

    // "To 10:30" takes in the whole minute.
    await waitFor(() =>
      expect(api.getList).toHaveBeenLastCalledWith(
        'transactions',
        expect.objectContaining({ filter: { created_at_gte: onAgentClock('09:00'), created_at_lte: onAgentClock('10:30', 59_999) } }),
      ),
    );
    expect(screen.getAllByText(`Your time (${viewerTimeZone()})`)).toHaveLength(2);
  });

  it('narrow the runs to those started between two times', async () => {
    const api = fakeApi({ generations: [buildRun({ asset_count: 0 })] });
    renderPage({ element: <GenerationList />, path: '/generations', route: '/generations/*', resource: 'generations', dataProvider: api.dataProvider });

    fireEvent.change(await picker('Started from'), { target: { value: '2026-11-20 09:00' } });

    await waitFor(() =>
      expect(api.getList).toHaveBeenLastCalledWith('generations', expect.objectContaining({ filter: { started_at_gte: onAgentClock('09:00') } })),
    );
    expect(await picker('Started from')).toHaveValue('2026-11-20 09:00');
  });
});
