import { defaultLightTheme, type RaThemeOptions } from 'react-admin';

/** react-admin's light theme in a calm blue, used for the app bar (secondary) and actions (primary). */
const deskBlue = { light: '#4f83b5', main: '#1d5a8c', dark: '#0f3a5f', contrastText: '#fff' };

/**
 * MUI's default info (#0288d1) and warning (#ed6c02) give white chip text 3.9:1 and 3.1:1; these
 * shades pass WCAG AA's 4.5:1 (4.8 and 5.0), as text on white too (tests/e2e/accessibility.e2e.ts).
 */
const info = { main: '#0277bd', contrastText: '#fff' };
const warning = { main: '#b45309', contrastText: '#fff' };

export const theme: RaThemeOptions = {
  ...defaultLightTheme,
  palette: {
    ...defaultLightTheme.palette,
    primary: deskBlue,
    secondary: deskBlue,
    info,
    warning,
  },
  components: {
    ...defaultLightTheme.components,
    MuiCheckbox: {
      defaultProps: {
        // react-admin names its row checkboxes with an aria-label that MUI puts on the wrapping
        // <span>, where it is not allowed, leaving the <input> unnamed: move the name to the input.
        slotProps: {
          root: { 'aria-label': undefined },
          input: (ownerState: { 'aria-label'?: string }) => ({ 'aria-label': ownerState['aria-label'] }),
        },
      },
    },
  },
};
