import Savings from '@mui/icons-material/Savings';
import { lazy } from 'react';
import type { CreditRecord } from '../../shared/credits.ts';

// Views load on first visit: the credit form and record page stay out of the first download.
const CreditList = lazy(() => import('./CreditList.tsx').then(module => ({ default: module.CreditList })));
const CreditShow = lazy(() => import('./CreditShow.tsx').then(module => ({ default: module.CreditShow })));
const CreditCreate = lazy(() => import('./CreditCreate.tsx').then(module => ({ default: module.CreditCreate })));

export default {
  list: CreditList,
  show: CreditShow,
  create: CreditCreate,
  icon: Savings,
  recordRepresentation: (credit: CreditRecord) => `Credit ${credit.id}`,
};
