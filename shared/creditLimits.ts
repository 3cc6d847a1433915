/**
 * The sizes a credit request may have (docs/api.md, `POST /api/credits`). The request schema
 * enforces them on the server; the credit form checks the same numbers before sending, and the
 * helpdesk link's ticket context drops what would not fit. No imports: shared/credits.ts builds
 * its schemas from these while it loads.
 */
export const creditLimits = {
  /** Characters of a ticket reference. */
  ticketRef: 100,
  /** Characters of the customer's expected and received text, and of the internal note. */
  customerText: 4000,
  note: 4000,
  /** Characters of a lead's reason to reject or void. */
  decisionReason: 2000,
  /** Customer-provided asset links, and characters of each. */
  assetLinks: 20,
  linkLength: 2048,
  /** Runs one credit may cover. */
  runs: 100,
  /** Tokens of one credit, or of one run in it. */
  tokens: 1_000_000_000,
} as const;

/** Whether `value` is an absolute https: link (customer-provided assets are opened from the console). */
export const isHttpsLink = (value: string): boolean => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};
