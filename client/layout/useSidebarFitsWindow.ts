import { useMediaQuery } from '@mui/material';
import { useLayoutEffect, useRef } from 'react';
import { useSidebarState } from 'react-admin';

/**
 * Below this window width the sidebar starts collapsed to its icons: its 240 px would leave the
 * lists and the chat review too narrow, and the page would scroll sideways.
 */
export const SIDEBAR_OPEN_MIN_WIDTH = 1280;

const narrowWindow = `(max-width: ${SIDEBAR_OPEN_MIN_WIDTH - 0.05}px)`;

/**
 * Collapses the sidebar when the window is, or becomes, narrower than SIDEBAR_OPEN_MIN_WIDTH, and
 * opens it again when the window widens past it. In between, the person's own toggle stands; on
 * a wide window at start-up, so does the state they left it in (react-admin keeps it in the store).
 */
export const useSidebarFitsWindow = (): void => {
  const narrow = useMediaQuery(narrowWindow, { noSsr: true });
  const [, setOpen] = useSidebarState();
  const wasNarrow = useRef<boolean | null>(null);
  // Before the first paint, so a narrow window never shows the sidebar open for a frame.
  useLayoutEffect(() => {
    if (narrow) setOpen(false);
    else if (wasNarrow.current) setOpen(true);
    wasNarrow.current = narrow;
  }, [narrow, setOpen]);
};
