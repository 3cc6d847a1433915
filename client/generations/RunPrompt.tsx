import { Tooltip, Typography } from '@mui/material';

/**
 * A run's prompt cut to two lines, the whole of it on hover or focus: what lets an agent recognise
 * "the one with the red car" in a list of runs.
 */
export const RunPrompt = ({ prompt }: { prompt: string | null }) => {
  if (!prompt) {
    return (
      <Typography variant="body2" color="text.secondary">
        No prompt recorded
      </Typography>
    );
  }
  return (
    <Tooltip
      title={<span style={{ whiteSpace: 'pre-wrap' }}>{prompt}</span>}
      placement="bottom-start"
      describeChild
      slotProps={{ tooltip: { sx: { maxWidth: 480, fontSize: '0.8125rem' } } }}
    >
      <Typography
        variant="body2"
        tabIndex={0}
        sx={{
          display: '-webkit-box',
          WebkitLineClamp: 2,
          WebkitBoxOrient: 'vertical',
          overflow: 'hidden',
          overflowWrap: 'anywhere',
        }}
      >
        {prompt}
      </Typography>
    </Tooltip>
  );
};
