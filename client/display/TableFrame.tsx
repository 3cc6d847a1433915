import { Box } from '@mui/material';
import type { ReactNode } from 'react';

/**
 * Lets a wide table (long ledger and chat ids) scroll sideways inside its section instead of
 * widening the whole page, which would push the header and the lookup box off screen.
 * `contain: inline-size` keeps the table's width out of the page's own sizing. The scrolling box
 * is the DataTable's own table wrapper, not this frame: react-admin draws the bulk-actions
 * toolbar above the table (translated upwards), and a scrolling frame would clip it away.
 * `dense` narrows the cells' side padding, so that a wide table fits a 1280-pixel screen.
 */
export const TableFrame = ({ children, dense = false }: { children: ReactNode; dense?: boolean }) => (
  <Box
    sx={{
      contain: 'inline-size',
      '& .RaDataTable-tableWrapper': { overflowX: 'auto' },
      // Half the usual space between columns, for tables that pack many facts into a row.
      ...(dense ? { '& .MuiTableCell-root': { px: 1 } } : {}),
    }}
  >
    {children}
  </Box>
);
