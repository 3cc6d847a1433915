import { describe, expect, it } from 'vitest';
import { nearTimeFilters, nearTimeRange } from '../../client/chats/chatModel.ts';
import { parseWallTime, zonedWallTimeToUtc } from '../../client/display/zonedTime.ts';

const instant = (wall: string, zone: string) => zonedWallTimeToUtc(parseWallTime(wall)!, zone).toISOString();

describe('zonedWallTimeToUtc', () => {
  it('reads a wall time on the clocks of a zone', () => {
    expect(instant('2026-11-24T10:30', 'Europe/Paris')).toBe('2026-11-24T09:30:00.000Z');
    expect(instant('2026-07-01T10:30', 'Europe/Paris')).toBe('2026-07-01T08:30:00.000Z');
    expect(instant('2026-11-24T10:30', 'America/Los_Angeles')).toBe('2026-11-24T18:30:00.000Z');
    expect(instant('2026-11-24T10:30', 'Asia/Kathmandu')).toBe('2026-11-24T04:45:00.000Z');
    expect(instant('2026-11-24T10:30', 'UTC')).toBe('2026-11-24T10:30:00.000Z');
  });

  it('moves a time skipped by the spring-forward jump forward by the gap', () => {
    // Paris jumps from 02:00 CET to 03:00 CEST on 2026-03-29: 02:30 is read as 03:30 CEST.
    expect(instant('2026-03-29T02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    // New York jumps at 02:00 on 2026-03-08.
    expect(instant('2026-03-08T02:15', 'America/New_York')).toBe('2026-03-08T07:15:00.000Z');
  });

  it('reads a time repeated by the autumn fall-back as its first occurrence', () => {
    // Paris goes back from 03:00 CEST to 02:00 CET on 2026-10-25: 02:30 happens twice.
    expect(instant('2026-10-25T02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    expect(instant('2026-10-25T03:30', 'Europe/Paris')).toBe('2026-10-25T02:30:00.000Z');
  });

  it('refuses dates that do not exist', () => {
    expect(parseWallTime('2026-02-30T10:00')).toBeNull();
    expect(parseWallTime('2026-11-24T25:00')).toBeNull();
    expect(parseWallTime('yesterday')).toBeNull();
  });
});

describe('nearTimeRange', () => {
  it('centres the window on the reported time in the customer’s zone', () => {
    expect(nearTimeRange('2026-11-24T10:30', '1h', 'Asia/Tokyo')).toEqual({
      from: '2026-11-24T00:30:00.000Z',
      to: '2026-11-24T02:30:00.000Z',
    });
  });

  it('gives another range for the same wall time on the agent’s clock', () => {
    expect(nearTimeRange('2026-11-24T10:30', '1h', 'Europe/Paris')).toEqual({
      from: '2026-11-24T08:30:00.000Z',
      to: '2026-11-24T10:30:00.000Z',
    });
  });

  it.each([
    ['15m', '2026-11-24T09:15:00.000Z', '2026-11-24T09:45:00.000Z'],
    ['1h', '2026-11-24T08:30:00.000Z', '2026-11-24T10:30:00.000Z'],
    ['3h', '2026-11-24T06:30:00.000Z', '2026-11-24T12:30:00.000Z'],
    ['1d', '2026-11-23T09:30:00.000Z', '2026-11-25T09:30:00.000Z'],
  ] as const)('widens by %s either side', (window, from, to) => {
    expect(nearTimeRange('2026-11-24T09:30', window, 'UTC')).toEqual({ from, to });
  });

  it('counts elapsed time across a daylight-saving change', () => {
    // 01:30 CET on the night Paris springs forward, ± 1 h: 00:30 CET to 03:30 CEST.
    expect(nearTimeRange('2026-03-29T01:30', '1h', 'Europe/Paris')).toEqual({
      from: '2026-03-28T23:30:00.000Z',
      to: '2026-03-29T01:30:00.000Z',
    });
    // A time in the gap is read as the same instant as the wall time an hour later.
    expect(nearTimeRange('2026-03-29T02:30', '15m', 'Europe/Paris')).toEqual(
      nearTimeRange('2026-03-29T03:30', '15m', 'Europe/Paris'),
    );
  });

  it('is null until a complete date and time is entered', () => {
    expect(nearTimeRange('', '1h', 'UTC')).toBeNull();
    expect(nearTimeRange('2026-11-24', '1h', 'UTC')).toBeNull();
    expect(nearTimeRange('2026-13-01T10:00', '1h', 'UTC')).toBeNull();
  });
});

describe('nearTimeFilters', () => {
  it('filters runs by start and ledger entries by entry time', () => {
    expect(nearTimeFilters({ from: 'A', to: 'B' })).toEqual({
      runs: { started_at_gte: 'A', started_at_lte: 'B' },
      ledger: { created_at_gte: 'A', created_at_lte: 'B' },
    });
    expect(nearTimeFilters(null)).toEqual({ runs: {}, ledger: {} });
  });
});
