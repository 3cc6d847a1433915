import { formatTokenCount, formatTokens } from '../display/format.ts';

/** A balance as figures and, when it is negative, in words: a negative balance must not pass for a typo. */
export const describeBalance = (balance: number): { figure: string; words: string | null } =>
  balance < 0
    ? { figure: `${formatTokens(balance)} tokens`, words: `Negative balance: the customer owes ${formatTokenCount(-balance)}.` }
    : { figure: formatTokenCount(balance), words: null };
