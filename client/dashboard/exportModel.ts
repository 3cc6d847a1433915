/** The lists with a CSV export (docs/api.md): the credits list and the audit log. */
export type ExportableResource = 'credits' | 'audit';

const isEmptyValue = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * The address of the CSV export of exactly the list on screen: the same `filter` and `sort` the
 * list sends, and no `range` (an export holds every matching row). Empty filter values are left
 * out, as react-admin leaves them out of the list's own request.
 */
export const exportCsvUrl = (
  resource: ExportableResource,
  filter: Record<string, unknown>,
  sort?: { field: string; order: string },
): string => {
  const params = new URLSearchParams({
    filter: JSON.stringify(Object.fromEntries(Object.entries(filter).filter(([, value]) => !isEmptyValue(value)))),
  });
  if (sort?.field) params.set('sort', JSON.stringify([sort.field, sort.order === 'ASC' ? 'ASC' : 'DESC']));
  return `/api/${resource}/export.csv?${params}`;
};
