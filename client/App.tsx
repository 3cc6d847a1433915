import { Admin, localStorageStore, Resource, type Store } from 'react-admin';
import { authProvider } from './authProvider.ts';
import { Dashboard } from './Dashboard.tsx';
import { dataProvider } from './dataProvider.ts';
import { DeskLayout } from './layout/DeskLayout.tsx';
import { LoginPage } from './LoginPage.tsx';
import { theme } from './theme.ts';

const browserStore = localStorageStore(undefined, 'TokenDesk');

export const App = ({ store = browserStore }: { store?: Store }) => (
  <Admin
    title="Token Desk"
    authProvider={authProvider}
    dataProvider={dataProvider}
    store={store}
    loginPage={LoginPage}
    layout={DeskLayout}
    dashboard={Dashboard}
    theme={theme}
    requireAuth
    disableTelemetry
  >
    {/* react-admin shows its own welcome page, ignoring `dashboard`, until it has a Resource.
        Customers are where a lookup leads; their views come with that issue. */}
    <Resource name="customers" recordRepresentation="name" />
  </Admin>
);
