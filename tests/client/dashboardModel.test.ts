import { describe, expect, it } from 'vitest';
import {
  ageAt,
  anomalyRuleCounts,
  barListIsExact,
  creditsBehindBar,
  customPeriodProblem,
  dailySeries,
  deliveryAttentionText,
  deliveryChannelsText,
  deliveryCountRows,
  failedRunsPath,
  formatRate,
  goodwillToolKey,
  missingRefundsBehindBar,
  periodChoiceSearch,
  periodOf,
  readPeriodChoice,
} from '../../client/dashboard/dashboardModel.ts';
import { exportCsvUrl } from '../../client/dashboard/exportModel.ts';
import { countLabel } from '../../client/lists/listTotal.ts';
import { missingRefundsLink } from '../../client/missingRefunds/missingRefundModel.ts';
import { buildDeliveryReport } from './creditsBuilders.ts';

const period = { from: '2026-11-18', to: '2026-11-24' };

/** The path and the decoded `filter` of a list link. */
const splitLink = (link: string) => {
  const url = new URL(link, 'http://desk.test');
  return { pathname: url.pathname, filter: JSON.parse(url.searchParams.get('filter') ?? 'null') as unknown };
};

describe('the dashboard period', () => {
  it('reads presets and custom days from the address, falling back to the last 30 days', () => {
    expect(readPeriodChoice('?days=7')).toEqual({ kind: 'preset', days: 7 });
    expect(readPeriodChoice('?days=90')).toEqual({ kind: 'preset', days: 90 });
    expect(readPeriodChoice('?from=2026-10-01&to=2026-10-31')).toEqual({ kind: 'custom', from: '2026-10-01', to: '2026-10-31' });
    for (const odd of ['', '?days=12', '?from=2026-10-31&to=2026-10-01', '?from=2026-02-30&to=2026-03-01', '?from=yesterday&to=today']) {
      expect(readPeriodChoice(odd)).toEqual({ kind: 'preset', days: 30 });
    }
  });

  it('writes a choice back to the address it reads', () => {
    for (const choice of [{ kind: 'preset', days: 7 }, { kind: 'custom', from: '2026-10-01', to: '2026-10-31' }] as const) {
      expect(readPeriodChoice(periodChoiceSearch(choice))).toEqual(choice);
    }
  });

  it('ends a preset today (UTC) and counts today as its last day', () => {
    const now = new Date('2026-11-24T23:30:00.000Z');
    expect(periodOf({ kind: 'preset', days: 7 }, now)).toEqual({ from: '2026-11-18', to: '2026-11-24' });
    expect(periodOf({ kind: 'preset', days: 30 }, now)).toEqual({ from: '2026-10-26', to: '2026-11-24' });
    expect(periodOf({ kind: 'custom', from: '2026-01-01', to: '2026-01-31' }, now)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
  });

  it('explains a custom period it cannot use', () => {
    expect(customPeriodProblem('2026-11-01', '')).toBe('Pick both days.');
    expect(customPeriodProblem('2026-11-05', '2026-11-01')).toBe('The first day comes after the last.');
    expect(customPeriodProblem('2026-11-01', '2026-11-01')).toBeNull();
  });

  it('shows every day of the period, a day without credits as zero', () => {
    const rows = [{ key: '2026-11-20', label: '2026-11-20', count: 2, tokens: 300 }];
    const series = dailySeries(rows, period);
    expect(series.map(day => day.key)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect(series[2]).toEqual(rows[0]);
    expect(series[0]).toEqual({ key: '2026-11-18', label: '2026-11-18', count: 0, tokens: 0 });
  });
});

describe('the lists behind the bars', () => {
  it('opens the applied credits of the day, agent or reason in the period', () => {
    expect(splitLink(creditsBehindBar('day', '2026-11-20', period))).toEqual({
      pathname: '/credits',
      filter: { status: 'applied', created_at_gte: '2026-11-20', created_at_lte: '2026-11-20' },
    });
    expect(splitLink(creditsBehindBar('agent', 'stf_ada', period)).filter).toEqual({
      status: 'applied',
      created_at_gte: '2026-11-18',
      created_at_lte: '2026-11-24',
      requested_by: 'stf_ada',
    });
    expect(splitLink(creditsBehindBar('reason', 'off_prompt', period)).filter).toEqual({
      status: 'applied',
      created_at_gte: '2026-11-18',
      created_at_lte: '2026-11-24',
      reason: 'off_prompt',
    });
  });

  it('opens the period for a tool (the list has no tool filter), the goodwill grants for the runless row', () => {
    expect(splitLink(creditsBehindBar('tool', 'video', period)).filter).toEqual({ status: 'applied', created_at_gte: '2026-11-18', created_at_lte: '2026-11-24' });
    expect(barListIsExact('tool', 'video')).toBe(false);
    expect(splitLink(creditsBehindBar('tool', goodwillToolKey, period)).filter).toMatchObject({ reason: 'goodwill' });
    expect(barListIsExact('tool', goodwillToolKey)).toBe(true);
    expect(barListIsExact('agent', 'stf_ada')).toBe(true);
  });

  it('opens a tool’s failed runs, and its missing refunds in the queue', () => {
    expect(splitLink(failedRunsPath('video', period))).toEqual({
      pathname: '/generations',
      filter: { tool: 'video', status: 'failed', started_at_gte: '2026-11-18', started_at_lte: '2026-11-24' },
    });
    expect(splitLink(missingRefundsBehindBar('video', period))).toEqual({
      pathname: '/missing-refunds',
      filter: { tool: 'video', started_at_gte: '2026-11-18', started_at_lte: '2026-11-24' },
    });
    expect(missingRefundsLink()).toBe('/missing-refunds');
  });
});

describe('figures in words', () => {
  it('writes the auto-refund rate as a percentage, a dash when nothing was charged', () => {
    expect(formatRate(0.9846)).toBe('98.5%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(null)).toBe('—');
  });

  it('marks a count as a floor only when the server said it stopped counting', () => {
    expect(countLabel(4, false)).toBe('4');
    expect(countLabel(1234, false)).toBe('1,234');
    expect(countLabel(10_000, false)).toBe('10,000');
    expect(countLabel(10_000, true)).toBe('10,000+');
  });

  it('counts flagged credits per rule, in the rules’ order', () => {
    const flagged = [
      { anomalies: [{ rule: 'near_threshold' as const, message: '' }] },
      { anomalies: [{ rule: 'agent_volume' as const, message: '' }, { rule: 'near_threshold' as const, message: '' }] },
    ];
    expect(anomalyRuleCounts(flagged)).toEqual([
      { rule: 'agent_volume', count: 1 },
      { rule: 'near_threshold', count: 2 },
    ]);
  });
});

describe('the CSV export address', () => {
  const decode = (url: string) => {
    const parsed = new URL(url, 'http://desk.test');
    return { pathname: parsed.pathname, params: Object.fromEntries(parsed.searchParams) };
  };

  it('carries exactly the list’s filter and sort, and no range', () => {
    const url = exportCsvUrl('credits', { status: 'applied', requested_by: 'stf_ada', created_at_gte: '2026-11-18T00:00:00.000Z' }, { field: 'created_at', order: 'DESC' });
    expect(decode(url)).toEqual({
      pathname: '/api/credits/export.csv',
      params: {
        filter: JSON.stringify({ status: 'applied', requested_by: 'stf_ada', created_at_gte: '2026-11-18T00:00:00.000Z' }),
        sort: JSON.stringify(['created_at', 'DESC']),
      },
    });
  });

  it('leaves out empty filter values, as the list’s own request does', () => {
    const { params } = decode(exportCsvUrl('audit', { action: '', actor_id: undefined, entity_type: 'staff', customer_id: null }, { field: 'at', order: 'ASC' }));
    expect(params).toEqual({ filter: JSON.stringify({ entity_type: 'staff' }), sort: JSON.stringify(['at', 'ASC']) });
  });

  it('exports the whole resource without a filter, in the server’s order without a sort', () => {
    expect(decode(exportCsvUrl('audit', {}))).toEqual({ pathname: '/api/audit/export.csv', params: { filter: '{}' } });
  });

  it('escapes what it carries', () => {
    const url = exportCsvUrl('credits', { ticket_ref: 'T&1=2#x' });
    expect(url).not.toContain('#');
    expect(decode(url).params.filter).toBe(JSON.stringify({ ticket_ref: 'T&1=2#x' }));
  });
});

describe('the studio delivery card', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');

  it('says nothing needs attention while failures are young and nothing was given up', () => {
    expect(deliveryAttentionText(buildDeliveryReport(), now)).toBeNull();
    const young = buildDeliveryReport({ counts: { pending: 1, failing: 2, given_up: 0, delivered: 9 }, oldest_failing_since: '2026-11-24T09:50:00.000Z' });
    expect(deliveryAttentionText(young, now)).toBeNull();
  });

  it('names what needs attention: events given up, and failures over 15 minutes old', () => {
    expect(deliveryAttentionText(buildDeliveryReport({ counts: { pending: 0, failing: 0, given_up: 2, delivered: 9 } }), now)).toBe(
      'Deliveries need attention: 2 given up',
    );
    const old = buildDeliveryReport({ counts: { pending: 0, failing: 3, given_up: 1, delivered: 9 }, oldest_failing_since: '2026-11-24T09:12:50.000Z' });
    expect(deliveryAttentionText(old, now)).toBe('Deliveries need attention: 1 given up; 3 failing, the oldest for 47 min 10 s');
  });

  it('says how the console reaches the studio, and how old the oldest undelivered event is', () => {
    expect(deliveryChannelsText({ push_enabled: true, feed_enabled: false })).toBe('Push: on, Feed: off');
    expect(deliveryChannelsText({ push_enabled: false, feed_enabled: true })).toBe('Push: off, Feed: on');
    expect(ageAt('2026-11-24T07:57:00.000Z', now)).toBe('2 h 03 min');
  });

  it('opens the credits behind each count', () => {
    const rows = deliveryCountRows({ pending: 4, failing: 2, given_up: 1, delivered: 30 });
    expect(rows.map(row => [row.label, row.count])).toEqual([
      ['Waiting', 4],
      ['Failing', 2],
      ['Given up', 1],
      ['Delivered', 30],
    ]);
    expect(rows[2].href).toBe(`/credits?${new URLSearchParams({ filter: JSON.stringify({ delivery_state: 'given_up' }) })}`);
  });
});
