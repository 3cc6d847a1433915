import { act, configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreditList } from '../../client/credits/CreditList.tsx';
import { CreditOutcome } from '../../client/credits/CreditOutcome.tsx';
import { DELIVERY_POLL_MS } from '../../client/credits/deliveryModel.ts';
import { CreditShow } from '../../client/credits/CreditShow.tsx';
import { formatDateTime } from '../../client/display/format.ts';
import { StudioDeliveryBanner } from '../../client/layout/StudioDeliveryBanner.tsx';
import type { CreditRecord } from '../../shared/credits.ts';
import type { CreditDelivery } from '../../shared/delivery.ts';
import { buildCredit, buildDeliveryEvent, deliveredEvent } from './creditsBuilders.ts';
import { admin, agent, creditsApi, lead, nothingConfigured, renderAs, type StaffUser } from './creditsHarness.tsx';
import { buildCustomer, buildRun } from './recordBuilders.ts';

configure({ asyncUtilTimeout: 5000 });

afterEach(() => vi.useRealTimers());

const deliveredAt = '2026-11-21T09:00:05.000Z';
const nextTry = '2026-11-21T09:35:00.000Z';
const failing = buildDeliveryEvent({ state: 'failing', attempts: 3, last_status: 503, next_attempt_at: nextTry, failing_since: '2026-11-21T09:00:01.000Z' });
const givenUp = buildDeliveryEvent({ state: 'given_up', attempts: 10, last_error: 'timeout after 15 s' });
const voidEvent = (overrides: Partial<CreditDelivery> = {}) => buildDeliveryEvent({ event_id: 'txn_void_1', type: 'credit.voided', ...overrides });

const openCredit = (credit: CreditRecord, user: StaffUser) => {
  const tables = { credits: [credit], customers: [buildCustomer()], generations: [buildRun({ id: 'gen_1' })], audit: [] };
  const api = creditsApi(tables);
  const view = renderAs({ user, element: <CreditShow />, path: `/credits/${credit.id}/show`, route: '/credits/:id/show/*', resource: 'credits', dataProvider: api.dataProvider });
  return { ...api, ...view, tables };
};

const deliverySection = () => screen.findByRole('region', { name: 'Studio delivery' });

describe('the credit page’s studio delivery', () => {
  it('says the tokens are in the customer’s account, since when, and that the studio confirmed them', async () => {
    openCredit(buildCredit({ delivery: [deliveredEvent({ delivered_at: deliveredAt, confirmed_at: '2026-11-21T09:01:00.000Z' })] }), agent);

    const section = await deliverySection();
    expect(within(section).getByText('Credit applied:')).toBeInTheDocument();
    expect(within(section).getByText(`In the customer's account since ${formatDateTime(deliveredAt)}, confirmed by the studio`)).toBeInTheDocument();
    expect(within(section).getByText('Event txn_credit_1 · sent by webhook · studio reference st_881')).toBeInTheDocument();
    expect(within(section).queryByRole('button', { name: 'Retry now' })).not.toBeInTheDocument();
  });

  it('lists the credit applied, then its void, each where it stands', async () => {
    openCredit(
      buildCredit({ status: 'voided', void_transaction_id: 'txn_void_1', delivery: [deliveredEvent({ delivered_at: deliveredAt }), voidEvent({ state: 'pending' })] }),
      agent,
    );

    const section = await deliverySection();
    const events = within(section).getAllByRole('listitem');
    expect(events[0]).toHaveTextContent(`Credit applied: In the customer's account since ${formatDateTime(deliveredAt)}`);
    expect(events[1]).toHaveTextContent('Void: Waiting for the studio');
  });

  it('names the attempt, the next try and the last answer of a failing delivery', async () => {
    openCredit(buildCredit({ status: 'voided', delivery: [failing, voidEvent()] }), agent);
    expect(await within(await deliverySection()).findByText(`Failing — attempt 3, next try ${formatDateTime(nextTry)}, last answer 503`)).toBeInTheDocument();
  });

  it('says a given-up delivery was not delivered, with the last error when the studio never answered', async () => {
    openCredit(buildCredit({ delivery: [givenUp] }), agent);
    expect(await within(await deliverySection()).findByText('Not delivered — given up after 10 attempts, last error: timeout after 15 s')).toBeInTheDocument();
  });

  it('says a credit is not delivered, rather than waiting, when delivery to the studio is not configured', async () => {
    openCredit(buildCredit({ delivery: [buildDeliveryEvent()] }), { ...lead, studio_delivery: nothingConfigured });

    const section = await deliverySection();
    expect(await within(section).findByText('Not delivered: delivery to the studio is not configured')).toBeInTheDocument();
    expect(within(section).queryByText('Waiting for the studio')).not.toBeInTheDocument();
  });

  it('has nothing to deliver for a credit waiting for approval', async () => {
    openCredit(buildCredit({ status: 'pending_approval', balance_after: null, transaction_id: null }), agent);

    expect(await screen.findByText('Waiting for approval', { selector: '.MuiAlertTitle-root' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Studio delivery' })).not.toBeInTheDocument();
  });

  it('lets a lead retry a failing delivery, then shows the credit as it stands after', async () => {
    const user = userEvent.setup();
    const { retryCreditDelivery, getOne, tables } = openCredit(buildCredit({ delivery: [failing] }), lead);
    retryCreditDelivery.mockImplementation(async () => {
      tables.credits = [buildCredit({ delivery: [buildDeliveryEvent({ state: 'pending', attempts: 3 })] })];
      return tables.credits[0];
    });

    const section = await deliverySection();
    await user.click(await within(section).findByRole('button', { name: 'Retry now' }));

    expect(retryCreditDelivery).toHaveBeenCalledWith('crd_1');
    expect(await screen.findByText('Delivery retried: the studio is asked again now.')).toBeInTheDocument();
    expect(await within(section).findByText('Waiting for the studio')).toBeInTheDocument();
    expect(getOne.mock.calls.filter(([resource]) => resource === 'credits').length).toBeGreaterThan(1);
    expect(within(section).queryByRole('button', { name: 'Retry now' })).not.toBeInTheDocument();
  });

  it('asks again while the studio has not taken the credit, shows it delivered without a reload, then stops asking', async () => {
    // Only the polling interval is faked: react-admin and testing-library keep their real timeouts.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { getOne, tables } = openCredit(buildCredit({ delivery: [buildDeliveryEvent({ state: 'delivering', attempts: 1 })] }), lead);
    const section = await deliverySection();
    expect(await within(section).findByText('Waiting for the studio')).toBeInTheDocument();
    const reads = () => getOne.mock.calls.filter(([resource]) => resource === 'credits').length;
    const tick = () => act(() => vi.advanceTimersByTimeAsync(DELIVERY_POLL_MS));

    tables.credits = [buildCredit({ delivery: [deliveredEvent({ delivered_at: deliveredAt })] })];
    for (let turn = 0; turn < 20 && !within(section).queryByText(/^In the customer's account since/); turn++) {
      await tick();
      await act(() => new Promise(resolve => setTimeout(resolve, 10)));
    }
    expect(within(section).getByText(`In the customer's account since ${formatDateTime(deliveredAt)}`)).toBeInTheDocument();
    const settled = reads();
    await act(() => vi.advanceTimersByTimeAsync(DELIVERY_POLL_MS * 5));
    expect(reads()).toBe(settled);
  });

  it('lets an admin retry a given-up void, and says why when the server had nothing to retry', async () => {
    const user = userEvent.setup();
    const { retryCreditDelivery } = openCredit(buildCredit({ status: 'voided', delivery: [deliveredEvent(), voidEvent({ state: 'given_up', attempts: 10 })] }), admin);
    retryCreditDelivery.mockRejectedValue(new HttpError('conflict', 409, { code: 'nothing_to_retry', message: 'Nothing of credit crd_1 is failing or given up.' }));

    await user.click(await within(await deliverySection()).findByRole('button', { name: 'Retry now' }));

    expect(retryCreditDelivery).toHaveBeenCalledWith('crd_1');
    expect(await screen.findByText('Nothing of credit crd_1 is failing or given up.')).toBeInTheDocument();
    // react-admin logs every failed data provider call.
    vi.mocked(console.error).mockClear();
  });

  it('gives agents no retry', async () => {
    const { retryCreditDelivery } = openCredit(buildCredit({ delivery: [givenUp] }), agent);

    expect(await within(await deliverySection()).findByText(/^Not delivered — given up/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry now' })).not.toBeInTheDocument();
    expect(retryCreditDelivery).not.toHaveBeenCalled();
  });

  it('warns the agent instead of offering a reply while delivery is failing', async () => {
    openCredit(buildCredit({ delivery: [failing] }), agent);

    expect(await screen.findByText(/^Delivery to the studio is failing: do not tell the customer the tokens were added yet\./)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Copy reply' })).not.toBeInTheDocument();
  });

  it('offers the “approved, shows shortly” reply while the studio has not taken the credit', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    openCredit(buildCredit({ delivery: [buildDeliveryEvent({ state: 'delivering', attempts: 1 })] }), agent);

    await user.click(await screen.findByRole('button', { name: 'Copy reply' }));

    expect(writeText).toHaveBeenCalledWith(
      "After reviewing your request, we've approved a credit of 1,200 tokens for the run of November 20, 2026. It will show in Settings → Usage history shortly.",
    );
  });
});

describe('ticket references on the credit screens', () => {
  it('link back to the helpdesk ticket when the console knows its address', async () => {
    openCredit(buildCredit({ ticket_ref: 'ZD-48213' }), { ...agent, helpdesk_ticket_url: 'https://support.example.com/tickets/{ticket}' });
    const links = await screen.findAllByRole('link', { name: /^ZD-48213 \(opens the ticket in the helpdesk/ });
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toHaveAttribute('href', 'https://support.example.com/tickets/ZD-48213');
  });
});

describe('the credits list’s delivery', () => {
  const credits = [
    buildCredit({ id: 'crd_delivered', delivery: [deliveredEvent()] }),
    buildCredit({ id: 'crd_waiting', delivery: [buildDeliveryEvent({ state: 'delivering' })] }),
    buildCredit({ id: 'crd_failing', delivery: [failing] }),
    buildCredit({ id: 'crd_given_up', delivery: [givenUp] }),
    buildCredit({ id: 'crd_pending', status: 'pending_approval', transaction_id: null, balance_after: null }),
  ];
  const deliveryCell = (id: string) => {
    const column = screen.getAllByRole('columnheader').findIndex(header => header.textContent === 'Delivery');
    const row = screen.getByRole('link', { name: id }).closest('tr') as HTMLElement;
    return within(row).getAllByRole('cell')[column];
  };

  it('shows where each credit stands with the studio in a word', async () => {
    const api = creditsApi({ credits });
    renderAs({ user: agent, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });

    expect(await screen.findByRole('columnheader', { name: 'Delivery' })).toBeInTheDocument();
    await screen.findByRole('link', { name: 'crd_pending' });
    expect(deliveryCell('crd_delivered')).toHaveTextContent('Delivered');
    expect(deliveryCell('crd_waiting')).toHaveTextContent('Waiting');
    expect(deliveryCell('crd_failing')).toHaveTextContent('Failing');
    expect(deliveryCell('crd_given_up')).toHaveTextContent('Given up');
    expect(deliveryCell('crd_pending')).toHaveTextContent('—');
  });

  it('says “Not delivered” for what cannot reach the studio', async () => {
    const api = creditsApi({ credits: [buildCredit({ id: 'crd_stuck', delivery: [buildDeliveryEvent()] }), buildCredit({ id: 'crd_early', delivery: [deliveredEvent()] })] });
    renderAs({ user: { ...agent, studio_delivery: nothingConfigured }, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });

    await screen.findByRole('link', { name: 'crd_early' });
    await waitFor(() => expect(deliveryCell('crd_stuck')).toHaveTextContent('Not delivered'));
    expect(deliveryCell('crd_early')).toHaveTextContent('Delivered');
  });

  it('narrows the list to credits whose delivery is given up', async () => {
    const user = userEvent.setup();
    const api = creditsApi({ credits });
    renderAs({ user: lead, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });
    expect(await screen.findByRole('link', { name: 'crd_failing' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.click(await screen.findByRole('menuitemcheckbox', { name: 'Delivery' }));
    await user.click(await screen.findByRole('combobox', { name: 'Delivery' }));
    const options = await screen.findAllByRole('option');
    expect(options.map(option => option.textContent)).toEqual(expect.arrayContaining(['Waiting', 'Failing', 'Given up', 'Delivered']));
    await user.click(screen.getByRole('option', { name: 'Given up' }));

    await waitFor(() => expect(screen.queryByRole('link', { name: 'crd_failing' })).not.toBeInTheDocument());
    expect(screen.getByRole('link', { name: 'crd_given_up' })).toBeInTheDocument();
    expect(api.getList).toHaveBeenLastCalledWith('credits', expect.objectContaining({ filter: { delivery_state: 'given_up' } }));
  });
});

describe('the outcome screen after a credit', () => {
  const waiting = buildCredit({ delivery: [buildDeliveryEvent({ state: 'pending' })] });
  const delivered = buildCredit({ delivery: [deliveredEvent({ delivered_at: deliveredAt })] });

  /** The outcome of `answered`, with the credit read back as `now()` says it stands. */
  const openOutcome = (answered: CreditRecord, now: () => CreditRecord, user: StaffUser = agent) => {
    const api = creditsApi({ credits: [answered] });
    api.getOne.mockImplementation(async () => ({ data: now() }));
    const view = renderAs({
      user,
      element: <CreditOutcome answer={{ status: 201, record: answered }} customer={buildCustomer({ time_zone: 'UTC' })} runTimes={['2026-11-20T01:10:00.000Z']} chatId="cht_42" />,
      path: '/credits/create?runs=gen_1',
      dataProvider: api.dataProvider,
    });
    return { ...api, ...view };
  };
  const creditReads = (getOne: ReturnType<typeof creditsApi>['getOne']) => getOne.mock.calls.filter(([resource]) => resource === 'credits').length;
  const wait = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
  /**
   * Lets the polling interval fire until the credit has been read `times` times. Asking starts only
   * once the session is known, a few real ticks after the first render, so each turn also yields.
   */
  const readsReach = async (getOne: ReturnType<typeof creditsApi>['getOne'], times: number) => {
    for (let turn = 0; turn < 50 && creditReads(getOne) < times; turn++) {
      await wait(DELIVERY_POLL_MS);
      await act(() => new Promise(resolve => setTimeout(resolve, 10)));
    }
    expect(creditReads(getOne)).toBeGreaterThanOrEqual(times);
  };

  it('updates by itself until the credit is in the customer’s account, then stops asking', async () => {
    // Only the polling interval is faked: react-admin and testing-library keep their real timeouts.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let studioHasIt = false;
    const { getOne } = openOutcome(waiting, () => (studioHasIt ? delivered : waiting));

    expect(await screen.findByText(/^Waiting for the studio/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy reply' })).toHaveAttribute('title', expect.stringMatching(/^After reviewing your request, we've approved a credit/));
    await readsReach(getOne, 1);
    expect(getOne).toHaveBeenCalledWith('credits', expect.objectContaining({ id: 'crd_1' }));
    expect(screen.getByText(/^Waiting for the studio/)).toBeInTheDocument();

    studioHasIt = true;
    await readsReach(getOne, creditReads(getOne) + 1);

    expect(await screen.findByText(`In the customer's account since ${formatDateTime(deliveredAt)}`)).toBeInTheDocument();
    expect(screen.queryByText(/^Waiting for the studio/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy reply' })).toHaveAttribute('title', expect.stringMatching(/^We've added 1,200 tokens to your account/));
    const reads = creditReads(getOne);
    await wait(DELIVERY_POLL_MS * 5);
    expect(creditReads(getOne)).toBe(reads);
  });

  it('keeps asking while delivery fails, warning the agent off the reply, and stops once it is given up', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const failingCredit = buildCredit({ delivery: [failing] });
    const givenUpCredit = buildCredit({ delivery: [givenUp] });
    let current = failingCredit;
    const { getOne } = openOutcome(waiting, () => current);

    await readsReach(getOne, 1);
    expect(await screen.findByText(/^Failing — attempt 3/)).toBeInTheDocument();
    expect(screen.getByText(/^Delivery to the studio is failing/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Copy reply' })).not.toBeInTheDocument();

    current = givenUpCredit;
    await readsReach(getOne, creditReads(getOne) + 1);
    expect(await screen.findByText(/^Not delivered — given up/)).toBeInTheDocument();
    const reads = creditReads(getOne);
    await wait(DELIVERY_POLL_MS * 5);
    expect(creditReads(getOne)).toBe(reads);
  });

  it('stops asking when the screen goes away', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { getOne, unmount } = openOutcome(waiting, () => waiting);
    expect(await screen.findByText(/^Waiting for the studio/)).toBeInTheDocument();
    await readsReach(getOne, 1);

    unmount();
    const reads = creditReads(getOne);
    await wait(DELIVERY_POLL_MS * 5);

    expect(creditReads(getOne)).toBe(reads);
  });

  it('does not ask at all for a credit already delivered, or one that cannot be', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { getOne, unmount } = openOutcome(delivered, () => delivered);
    expect(await screen.findByText(`In the customer's account since ${formatDateTime(deliveredAt)}`)).toBeInTheDocument();
    unmount();

    const notConfigured = openOutcome(waiting, () => waiting, { ...agent, studio_delivery: nothingConfigured });
    expect(await screen.findByText('Not delivered: delivery to the studio is not configured')).toBeInTheDocument();
    await wait(DELIVERY_POLL_MS * 3);

    expect(creditReads(getOne)).toBe(0);
    expect(creditReads(notConfigured.getOne)).toBe(0);
  });
});

describe('the banner when delivery is not configured', () => {
  const banner = /^Credits are not delivered to the studio: delivery is not configured/;

  it('tells every role that credits do not reach the studio', async () => {
    for (const user of [agent, lead, admin]) {
      const { unmount } = renderAs({ user: { ...user, studio_delivery: nothingConfigured }, element: <StudioDeliveryBanner />, path: '/', dataProvider: creditsApi({}).dataProvider });
      expect(await screen.findByRole('status')).toHaveTextContent(banner);
      unmount();
    }
  });

  it('is absent when the push or the feed is on', async () => {
    for (const studio_delivery of [{ push_enabled: true, feed_enabled: false }, { push_enabled: false, feed_enabled: true }]) {
      const { unmount, container } = renderAs({ user: { ...agent, studio_delivery }, element: <StudioDeliveryBanner />, path: '/', dataProvider: creditsApi({}).dataProvider });
      // Let the identity load before judging what is not there.
      await act(async () => undefined);
      expect(container).not.toHaveTextContent(banner);
      unmount();
    }
  });
});
