/** The console paths of the credit screens. */

/** The credit form for `runs` (chosen in a runs list), or a goodwill credit for `customerId` (no runs). */
export const creditCreatePath = (target: { runs: string[] } | { customerId: string }): string =>
  'runs' in target
    ? `/credits/create?${new URLSearchParams({ runs: target.runs.join(',') })}`
    : `/credits/create?${new URLSearchParams({ customer_id: target.customerId })}`;

/** What the credit form's query names: runs to credit, or the customer of a goodwill credit. */
export const readCreditTarget = (search: string): { runs: string[]; customerId: string | null } => {
  const params = new URLSearchParams(search);
  const runs = [...new Set((params.get('runs') ?? '').split(',').map(id => id.trim()).filter(Boolean))];
  return { runs, customerId: runs.length > 0 ? null : params.get('customer_id')?.trim() || null };
};

export const creditShowPath = (id: string): string => `/credits/${encodeURIComponent(id)}/show`;

/** The credits list filtered as given (react-admin reads `filter` from the URL). */
export const creditListPath = (filter: Record<string, string>): string => `/credits?${new URLSearchParams({ filter: JSON.stringify(filter) })}`;

export const approvalsPath = '/approvals';
