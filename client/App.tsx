import { lazy } from 'react';
import { Admin, CustomRoutes, localStorageStore, Resource, type Store } from 'react-admin';
import { Route } from 'react-router-dom';
import audit from './audit/index.ts';
import { authProvider } from './authProvider.ts';
import chats from './chats/index.ts';
import credits from './credits/index.ts';
import { approvalsPath } from './credits/creditPaths.ts';
import customers from './customers/index.ts';
import { Dashboard } from './Dashboard.tsx';
import { dataProvider } from './dataProvider.ts';
import generations from './generations/index.ts';
import { DeskLayout } from './layout/DeskLayout.tsx';
import { LoginPage } from './LoginPage.tsx';
import { LookupPage } from './lookup/LookupPage.tsx';
import { policyPath } from './policy/PolicyMenuItem.tsx';
import { theme } from './theme.ts';
import transactions from './transactions/index.ts';

const browserStore = localStorageStore(undefined, 'TokenDesk');

// Leads' and admins' screens load on first visit, outside the first download.
const ApprovalQueue = lazy(() => import('./credits/ApprovalQueue.tsx').then(module => ({ default: module.ApprovalQueue })));
const PolicyPage = lazy(() => import('./policy/PolicyPage.tsx').then(module => ({ default: module.PolicyPage })));

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
    <Resource name="customers" {...customers} />
    <Resource name="chats" {...chats} />
    <Resource name="generations" {...generations} />
    <Resource name="transactions" {...transactions} />
    <Resource name="credits" {...credits} />
    <Resource name="audit" {...audit} />
    <CustomRoutes>
      {/* Deep links from the helpdesk: /#/lookup?q=<chat id or URL> */}
      <Route path="/lookup" element={<LookupPage />} />
      <Route path={approvalsPath} element={<ApprovalQueue />} />
      <Route path={policyPath} element={<PolicyPage />} />
    </CustomRoutes>
  </Admin>
);
