import { Box, Typography } from '@mui/material';

/** What an empty list means and what to do next, in place of a bare "No results". */
export const EmptyState = ({ title, hint }: { title: string; hint: string }) => (
  <Box sx={{ py: 3, px: 2, textAlign: 'center' }}>
    <Typography variant="subtitle1" component="p">
      {title}
    </Typography>
    <Typography variant="body2" color="text.secondary">
      {hint}
    </Typography>
  </Box>
);
