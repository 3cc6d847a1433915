import MoneyOff from '@mui/icons-material/MoneyOff';
import { Chip } from '@mui/material';
import { Menu, useGetList } from 'react-admin';
import { missingCountLabel, missingRefundFilter, missingRefundSort, missingRefundsPath } from './missingRefundModel.ts';

/** How many runs wait for their missing refund (only the list's total is read). */
const MissingCount = () => {
  const { total } = useGetList('generations', { filter: missingRefundFilter, pagination: { page: 1, perPage: 1 }, sort: missingRefundSort });
  if (!total) return null;
  const label = missingCountLabel(total);
  // A span: the menu item sets its text in a <p>, which cannot hold the chip's default <div>.
  return <Chip component="span" label={label} size="small" color="error" aria-label={`${label} waiting`} sx={{ ml: 1 }} />;
};

/**
 * "Missing refunds" in the menu, with the number waiting, for every role: fixing one is a
 * `missed_auto_refund` credit, which agents request every day, and the runs list is open to them.
 */
export const MissingRefundsMenuItem = () => (
  <Menu.Item
    to={missingRefundsPath}
    primaryText={
      <>
        Missing refunds
        <MissingCount />
      </>
    }
    leftIcon={<MoneyOff />}
  />
);
