import ReceiptLong from '@mui/icons-material/ReceiptLong';
import { lazy } from 'react';
import type { TransactionRecord } from '../../shared/records.ts';

const TransactionList = lazy(() => import('./TransactionList.tsx').then(module => ({ default: module.TransactionList })));
const TransactionShow = lazy(() => import('./TransactionShow.tsx').then(module => ({ default: module.TransactionShow })));

export default {
  list: TransactionList,
  show: TransactionShow,
  icon: ReceiptLong,
  recordRepresentation: (entry: TransactionRecord) => `Ledger entry ${entry.id}`,
  options: { label: 'Ledger' },
};
