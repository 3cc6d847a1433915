import MoneyOff from '@mui/icons-material/MoneyOff';
import { Badge, Chip } from '@mui/material';
import { Menu, useSidebarState } from 'react-admin';
import { countLabel } from '../lists/listTotal.ts';
import { missingRefundsPath } from './missingRefundModel.ts';
import { useMissingRefundCount } from './useMissingRefundCount.ts';

/**
 * "Missing refunds" in the menu, with the number waiting ("10,000+" past the runs list's count),
 * for every role: fixing one is a `missed_auto_refund` credit, which agents request every day,
 * and the runs list is open to them. With the sidebar collapsed to its icons the number sits on
 * the icon, where it stays in sight.
 */
export const MissingRefundsMenuItem = () => {
  const { total, capped } = useMissingRefundCount();
  const [sidebarOpen] = useSidebarState();
  const label = total ? countLabel(total, capped) : undefined;
  const icon = <MoneyOff />;
  return (
    <Menu.Item
      to={missingRefundsPath}
      primaryText={
        <>
          Missing refunds
          {/* A span: the menu item sets its text in a <p>, which cannot hold the chip's default <div>. */}
          {label && <Chip component="span" label={label} size="small" color="error" aria-label={`${label} waiting`} sx={{ ml: 1 }} />}
        </>
      }
      leftIcon={
        sidebarOpen || !total ? (
          icon
        ) : (
          // The chip above still names the count for screen readers; the badge is for the eye.
          <Badge badgeContent={total} max={99} color="error" slotProps={{ badge: { 'aria-hidden': true } }}>
            {icon}
          </Badge>
        )
      }
    />
  );
};
