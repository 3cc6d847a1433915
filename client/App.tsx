import { lazy } from 'react';
import { Admin, CustomRoutes, localStorageStore, Resource, type Store } from 'react-admin';
import { Route } from 'react-router-dom';
import { changePasswordPath } from './account/accountModel.ts';
import { ChangePasswordRoute } from './account/ChangePasswordRoute.tsx';
import audit from './audit/index.ts';
import { authProvider } from './authProvider.ts';
import chats from './chats/index.tsx';
import credits from './credits/index.ts';
import { approvalsPath } from './credits/creditPaths.ts';
import customers from './customers/index.ts';
import { Dashboard } from './Dashboard.tsx';
import { dashboardPath } from './dashboard/DashboardMenuItem.tsx';
import { dataProvider } from './dataProvider.ts';
import generations from './generations/index.ts';
import { DeskLayout } from './layout/DeskLayout.tsx';
import { LoginPage } from './LoginPage.tsx';
import { LookupPage } from './lookup/LookupPage.tsx';
import { missingRefundsPath } from './missingRefunds/missingRefundModel.ts';
import { policyPath } from './policy/PolicyMenuItem.tsx';
import staff from './staff/index.ts';
import { theme } from './theme.ts';
import transactions from './transactions/index.ts';

const browserStore = localStorageStore(undefined, 'TokenDesk');

// Leads' and admins' screens load on first visit, outside the first download.
const ApprovalQueue = lazy(() => import('./credits/ApprovalQueue.tsx').then(module => ({ default: module.ApprovalQueue })));
const PolicyPage = lazy(() => import('./policy/PolicyPage.tsx').then(module => ({ default: module.PolicyPage })));
// The dashboard's chunk carries the chart library.
const LeadDashboard = lazy(() => import('./dashboard/LeadDashboard.tsx').then(module => ({ default: module.LeadDashboard })));
const MissingRefundQueue = lazy(() => import('./missingRefunds/MissingRefundQueue.tsx').then(module => ({ default: module.MissingRefundQueue })));

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
    <Resource name="staff" {...staff} />
    <CustomRoutes>
      {/* Deep links from the helpdesk: /#/lookup?q=<chat id or URL> */}
      <Route path="/lookup" element={<LookupPage />} />
      <Route path={approvalsPath} element={<ApprovalQueue />} />
      <Route path={policyPath} element={<PolicyPage />} />
      <Route path={dashboardPath} element={<LeadDashboard />} />
      <Route path={missingRefundsPath} element={<MissingRefundQueue />} />
    </CustomRoutes>
    {/* Outside the layout: a temporary password must change before anything else loads. */}
    <CustomRoutes noLayout>
      <Route path={changePasswordPath} element={<ChangePasswordRoute />} />
    </CustomRoutes>
  </Admin>
);
