import Badge from '@mui/icons-material/Badge';
import { lazy } from 'react';
import type { Role } from '../../shared/roles.ts';
import type { StaffRecord } from '../../shared/staff.ts';

// Admin screens load on first visit, outside the first download, which the budget of BENCHMARKS.md counts.
const StaffList = lazy(() => import('./StaffList.tsx').then(module => ({ default: module.StaffList })));
const StaffShow = lazy(() => import('./StaffShow.tsx').then(module => ({ default: module.StaffShow })));
const StaffCreate = lazy(() => import('./StaffCreate.tsx').then(module => ({ default: module.StaffCreate })));

const readers: Role[] = ['lead', 'admin'];

export default {
  list: StaffList,
  show: StaffShow,
  create: StaffCreate,
  icon: Badge,
  recordRepresentation: (staff: StaffRecord) => staff.name,
  // The menu shows "Staff" to leads (read-only) and admins; agents do not see it.
  options: { label: 'Staff', roles: readers },
};
