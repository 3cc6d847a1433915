import Forum from '@mui/icons-material/Forum';
import { lazy } from 'react';
import type { ChatRecord } from '../../shared/records.ts';

/** Loads the chat review's code; called ahead when a lookup is about to open a chat. */
export const preloadChatShow = () => import('./ChatShow.tsx');

const ChatList = lazy(() => import('./ChatList.tsx').then(module => ({ default: module.ChatList })));
const ChatShow = lazy(() => preloadChatShow().then(module => ({ default: module.ChatShow })));

export default {
  list: ChatList,
  show: ChatShow,
  icon: Forum,
  recordRepresentation: (chat: ChatRecord) => chat.title || `Chat ${chat.id}`,
};
