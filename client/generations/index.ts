import AutoAwesome from '@mui/icons-material/AutoAwesome';
import { lazy } from 'react';
import type { GenerationRecord } from '../../shared/records.ts';

const GenerationList = lazy(() => import('./GenerationList.tsx').then(module => ({ default: module.GenerationList })));
const GenerationShow = lazy(() => import('./GenerationShow.tsx').then(module => ({ default: module.GenerationShow })));

export default {
  list: GenerationList,
  show: GenerationShow,
  icon: AutoAwesome,
  recordRepresentation: (run: GenerationRecord) => `Run ${run.id}`,
  options: { label: 'Runs' },
};
