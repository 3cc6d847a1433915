import { Alert, Box, Button, Card, CardContent, Skeleton, Typography } from '@mui/material';
import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { EmptyState } from '../display/EmptyState.tsx';

const errorText = (error: unknown): string => (error instanceof Error && error.message ? error.message : 'The server did not answer.');

/**
 * One report of the dashboard: its title, what it counts, and its loading, error (with a retry)
 * and empty states, so a failed report never looks like a quiet period.
 */
export const ReportCard = ({
  title,
  description,
  query,
  isEmpty,
  empty,
  children,
}: {
  title: string;
  description: ReactNode;
  query: { isPending: boolean; error: unknown; refetch: () => unknown };
  /** Leave both out for a report that is never empty (its zeros say something). */
  isEmpty?: boolean;
  empty?: { title: string; hint: string };
  children: ReactNode;
}) => {
  const titleId = useId();
  return (
    <Card component="section" aria-labelledby={titleId} sx={{ height: '100%' }}>
      <CardContent>
        <Typography id={titleId} variant="h6" component="h3">
          {title}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {description}
        </Typography>
        {query.error ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => query.refetch()}>
                Retry
              </Button>
            }
          >
            Could not load {title.toLowerCase()}: {errorText(query.error)}
          </Alert>
        ) : query.isPending ? (
          <Skeleton variant="rounded" height={220} aria-label={`Loading ${title.toLowerCase()}`} />
        ) : isEmpty && empty ? (
          <EmptyState {...empty} />
        ) : (
          children
        )}
      </CardContent>
    </Card>
  );
};

/**
 * Gives a fixed-size chart the width of its box, measured on mount and on resize. Where nothing
 * can be measured (a test's DOM) the chart keeps `fallbackWidth`.
 */
export const SizedChart = ({ fallbackWidth = 560, children }: { fallbackWidth?: number; children: (width: number) => ReactNode }) => {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallbackWidth);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const measure = () => {
      const measured = Math.floor(element.getBoundingClientRect().width);
      if (measured > 0) setWidth(measured);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  // The chart repeats the table beside it, which is what keyboards and screen readers use.
  return (
    <Box ref={box} aria-hidden="true" sx={{ width: '100%', overflow: 'hidden', '& .recharts-rectangle': { cursor: 'pointer' } }}>
      {children(width)}
    </Box>
  );
};
