import { Pagination, useListContext, type PaginationProps } from 'react-admin';
import { cappedRangeLabel, isTotalCapped } from './listTotal.ts';

/**
 * react-admin's pagination, except on a list whose total stopped counting at 10,000
 * (`X-Total-Capped`): there it says "1–25 of more than 10,000", never the cap as an exact figure.
 */
export const ListPagination = (props: PaginationProps) => {
  const { meta } = useListContext();
  const capped = isTotalCapped(meta);
  return (
    <Pagination
      rowsPerPageOptions={[25, 50, 100]}
      {...props}
      {...(capped ? { labelDisplayedRows: ({ from, to }: { from: number; to: number }) => cappedRangeLabel(from, to) } : {})}
    />
  );
};
