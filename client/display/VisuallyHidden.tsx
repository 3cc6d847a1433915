import type { ReactNode } from 'react';

/**
 * Text for screen readers only ("(opens in a new tab)"). Sizes are in pixels, not MUI's `1`
 * (which means 100 %): a hidden span as wide as its container would stick out of a card and make
 * the whole page scroll sideways.
 */
export const VisuallyHidden = ({ children }: { children: ReactNode }) => (
  <span
    style={{
      position: 'absolute',
      width: '1px',
      height: '1px',
      padding: 0,
      margin: '-1px',
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
      border: 0,
    }}
  >
    {children}
  </span>
);
