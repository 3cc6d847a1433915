import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatClock,
  formatDateTime,
  formatDimensions,
  formatDuration,
  formatSignedTokens,
  formatTokenCount,
  formatTokens,
  isKnownTimeZone,
  utcIso,
} from '../../client/display/format.ts';

describe('token amounts', () => {
  it('use thousands separators, and a dash when there is no figure', () => {
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(1234567)).toBe('1,234,567');
    expect(formatTokens(-1250)).toBe('-1,250');
    expect(formatTokens(null)).toBe('—');
    expect(formatTokens(undefined)).toBe('—');
  });

  it('show the sign of ledger amounts', () => {
    expect(formatSignedTokens(1200)).toBe('+1,200');
    expect(formatSignedTokens(-35000)).toBe('-35,000');
    expect(formatSignedTokens(0)).toBe('0');
  });

  it('count tokens in words', () => {
    expect(formatTokenCount(1)).toBe('1 token');
    expect(formatTokenCount(-1)).toBe('-1 token');
    expect(formatTokenCount(12345)).toBe('12,345 tokens');
  });
});

describe('sizes and durations', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(812)).toBe('812 byte');
    expect(formatBytes(14_200)).toBe('14.2 kB');
    expect(formatBytes(1_432_000)).toBe('1.4 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(3_100_000_000)).toBe('3.1 GB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });

  it('formats media lengths and run times', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(3000)).toBe('3 s');
    expect(formatDuration(3240)).toBe('3.2 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe('2 h 03 min');
    expect(formatDuration(null)).toBe('—');
  });

  it('formats dimensions', () => {
    expect(formatDimensions(1024, 768)).toBe('1,024 × 768 px');
    expect(formatDimensions(null, 768)).toBe('—');
  });
});

describe('times', () => {
  it('shows an instant on the clock of a given zone, naming the zone', () => {
    expect(formatDateTime('2026-11-24T09:30:15Z', 'UTC')).toBe('Nov 24, 2026, 9:30:15 AM UTC');
    expect(formatDateTime('2026-11-24T09:30:15Z', 'America/New_York')).toBe('Nov 24, 2026, 4:30:15 AM EST');
    expect(formatDateTime('2026-11-24T09:30:15Z', 'Asia/Tokyo')).toBe('Nov 24, 2026, 6:30:15 PM GMT+9');
  });

  it('shows a dash for a missing or unreadable time', () => {
    expect(formatDateTime(null, 'UTC')).toBe('—');
    expect(formatDateTime('not a time', 'UTC')).toBe('—');
  });

  it('gives the UTC ISO value for the hover text', () => {
    expect(utcIso('2026-11-24T10:30:15+01:00')).toBe('2026-11-24T09:30:15.000Z');
    expect(utcIso('')).toBeUndefined();
  });

  it('reads a wall clock elsewhere', () => {
    expect(formatClock(new Date('2026-11-24T09:05:00Z'), 'Asia/Tokyo')).toBe('Tue, 6:05 PM GMT+9');
  });

  it('knows which time zones exist', () => {
    expect(isKnownTimeZone('Europe/Paris')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone(null)).toBe(false);
  });
});
