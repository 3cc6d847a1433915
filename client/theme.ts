import { defaultLightTheme, type RaThemeOptions } from 'react-admin';

/** react-admin's light theme in a calm blue, used for the app bar (secondary) and actions (primary). */
const deskBlue = { light: '#4f83b5', main: '#1d5a8c', dark: '#0f3a5f', contrastText: '#fff' };

export const theme: RaThemeOptions = {
  ...defaultLightTheme,
  palette: {
    ...defaultLightTheme.palette,
    primary: deskBlue,
    secondary: deskBlue,
  },
};
