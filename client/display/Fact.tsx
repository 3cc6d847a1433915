import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** One term and its value in a description list (`<dl>`) of record facts. */
export const Fact = ({ term, children }: { term: string; children: ReactNode }) => (
  <Box>
    <Typography component="dt" variant="caption" color="text.secondary">
      {term}
    </Typography>
    <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
      {children}
    </Typography>
  </Box>
);

/** A grid of facts. */
export const FactList = ({ children, minWidth = 180 }: { children: ReactNode; minWidth?: number }) => (
  <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: `repeat(auto-fill, minmax(${minWidth}px, 1fr))`, gap: 2, m: 0 }}>
    {children}
  </Box>
);
