import Policy from '@mui/icons-material/Policy';
import { lazy } from 'react';
import type { AuditRecord } from '../../shared/audit.ts';
import type { Role } from '../../shared/roles.ts';

// Leads' screens: loaded on first visit, never in the first download.
const AuditList = lazy(() => import('./AuditList.tsx').then(module => ({ default: module.AuditList })));
const AuditShow = lazy(() => import('./AuditShow.tsx').then(module => ({ default: module.AuditShow })));

export default {
  list: AuditList,
  show: AuditShow,
  icon: Policy,
  recordRepresentation: (event: AuditRecord) => `Audit event ${event.id}`,
  options: { label: 'Audit log', roles: ['lead', 'admin'] satisfies Role[] },
};
