import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** A titled part of a page, announced as a region by its title. */
export const Section = ({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) => (
  <Box component="section" aria-label={title}>
    <Box sx={{ display: 'flex', alignItems: 'baseline', justifyContent: 'space-between', gap: 2, mb: 1 }}>
      <Typography variant="h6" component="h3">
        {title}
      </Typography>
      {action}
    </Box>
    {children}
  </Box>
);
