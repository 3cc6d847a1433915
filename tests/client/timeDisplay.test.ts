import { describe, expect, it } from 'vitest';
import { formatAge, formatShortDateTime } from '../../client/display/relativeTime.ts';
import { readReportedTime, utcToWallTime } from '../../client/display/zonedTime.ts';
import { reportedWallTime } from '../../client/chats/chatModel.ts';

describe('short times and ages', () => {
  const now = new Date('2026-12-05T14:00:00.000Z');

  it('say "Dec 4, 17:18" on the given clock, with the year only when it is not this one', () => {
    expect(formatShortDateTime('2026-12-04T08:18:00.000Z', 'Asia/Tokyo', now)).toBe('Dec 4, 17:18');
    expect(formatShortDateTime('2025-12-04T08:18:00.000Z', 'UTC', now)).toBe('Dec 4, 2025, 08:18');
    expect(formatShortDateTime(null, 'UTC', now)).toBe('—');
  });

  it('count an age in its largest whole unit', () => {
    expect(formatAge('2026-12-05T13:59:30.000Z', now)).toBe('less than a minute');
    expect(formatAge('2026-12-05T13:59:00.000Z', now)).toBe('1 minute');
    expect(formatAge('2026-12-05T11:00:00.000Z', now)).toBe('3 hours');
    expect(formatAge('2026-12-01T14:00:00.000Z', now)).toBe('4 days');
    expect(formatAge('2026-12-06T14:00:00.000Z', now)).toBe('less than a minute');
    expect(formatAge(undefined, now)).toBe('—');
  });
});

describe('reported times from a helpdesk link', () => {
  it('read a time without an offset as a wall time, and one with an offset as an instant', () => {
    expect(readReportedTime('2026-11-20T10:04')).toEqual({ kind: 'wall', wall: '2026-11-20T10:04' });
    expect(readReportedTime('2026-11-20T10:04:59.250')).toEqual({ kind: 'wall', wall: '2026-11-20T10:04' });
    expect(readReportedTime('2026-11-20T10:04:00+09:00')).toEqual({ kind: 'instant', iso: '2026-11-20T01:04:00.000Z' });
    expect(readReportedTime('2026-11-20T01:04Z')).toEqual({ kind: 'instant', iso: '2026-11-20T01:04:00.000Z' });
  });

  it('ignore what is not a date and time', () => {
    for (const at of [undefined, '', 'yesterday', '2026-11-20', '2026-02-30T10:00', '2026-11-20T25:00']) {
      expect(readReportedTime(at)).toBeNull();
    }
  });

  it('show an instant as the wall time of the chosen clock', () => {
    expect(utcToWallTime('2026-11-20T01:04:00.000Z', 'Asia/Tokyo')).toBe('2026-11-20T10:04');
    expect(utcToWallTime('2026-03-29T01:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-29T03:30');
    expect(utcToWallTime('not a time', 'UTC')).toBeNull();
    expect(reportedWallTime({ kind: 'instant', iso: '2026-11-20T01:04:00.000Z' }, 'America/New_York')).toBe('2026-11-19T20:04');
    expect(reportedWallTime({ kind: 'wall', wall: '2026-11-20T10:04' }, 'America/New_York')).toBe('2026-11-20T10:04');
    expect(reportedWallTime(null, 'UTC')).toBe('');
  });
});
