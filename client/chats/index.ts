import Forum from '@mui/icons-material/Forum';
import { lazy } from 'react';
import type { ChatRecord } from '../../shared/records.ts';

const ChatList = lazy(() => import('./ChatList.tsx').then(module => ({ default: module.ChatList })));
const ChatShow = lazy(() => import('./ChatShow.tsx').then(module => ({ default: module.ChatShow })));

export default {
  list: ChatList,
  show: ChatShow,
  icon: Forum,
  recordRepresentation: (chat: ChatRecord) => chat.title || `Chat ${chat.id}`,
};
