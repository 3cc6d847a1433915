import People from '@mui/icons-material/People';
import { lazy } from 'react';
import type { CustomerRecord } from '../../shared/records.ts';

// Views load on first visit: the initial bundle holds only the shell and the lookup box.
const CustomerList = lazy(() => import('./CustomerList.tsx').then(module => ({ default: module.CustomerList })));
const CustomerShow = lazy(() => import('./CustomerShow.tsx').then(module => ({ default: module.CustomerShow })));

export default {
  list: CustomerList,
  show: CustomerShow,
  icon: People,
  recordRepresentation: (customer: CustomerRecord) => customer.name,
};
