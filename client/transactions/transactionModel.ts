import { parseWallTime, zonedWallTimeToUtc } from '../display/zonedTime.ts';
import type { z } from 'zod';
import type { ledgerKindSchema } from '../../shared/records.ts';

type TransactionKind = z.infer<typeof ledgerKindSchema>;

/** What each kind of ledger entry is called on screen. */
export const transactionKindLabels: Record<TransactionKind, string> = {
  purchase: 'Purchase',
  plan_grant: 'Plan grant',
  charge: 'Charge',
  auto_refund: 'Auto-refund',
  manual_credit: 'Manual credit',
  credit_void: 'Credit void',
};

/** The label of a kind, or the kind itself for one this console does not know yet. */
export const transactionKindLabel = (kind: string): string =>
  (transactionKindLabels as Record<string, string | undefined>)[kind] ?? kind;

/** The usage-history filters an agent sets: dates are calendar days in the viewer's zone ("YYYY-MM-DD"). */
export interface UsageFilterValues {
  fromDay: string;
  toDay: string;
  kind: string;
  tool: string;
  chatId: string;
}

export const emptyUsageFilter: UsageFilterValues = { fromDay: '', toDay: '', kind: '', tool: '', chatId: '' };

const nextDay = (day: string): string | null => {
  const wall = parseWallTime(day);
  if (!wall) return null;
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  return date.toISOString().slice(0, 10);
};

/**
 * The `transactions` list filter for the usage-history form: whole days from the start of
 * `fromDay` to the end of `toDay` on the clocks of `timeZone`, as UTC instants; blank fields and
 * unreadable days set nothing.
 */
export const usageHistoryFilter = (values: UsageFilterValues, timeZone: string): Record<string, string> => {
  const filter: Record<string, string> = {};
  const from = parseWallTime(values.fromDay);
  if (from && !values.fromDay.includes('T')) {
    filter.created_at_gte = zonedWallTimeToUtc(from, timeZone).toISOString();
  }
  const dayAfter = nextDay(values.toDay);
  const end = dayAfter ? parseWallTime(dayAfter) : null;
  if (end && !values.toDay.includes('T')) {
    filter.created_at_lte = new Date(zonedWallTimeToUtc(end, timeZone).getTime() - 1).toISOString();
  }
  if (values.kind) filter.kind = values.kind;
  if (values.tool.trim()) filter.tool = values.tool.trim();
  if (values.chatId.trim()) filter.chat_id = values.chatId.trim();
  return filter;
};
