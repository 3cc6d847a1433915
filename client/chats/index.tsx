import Forum from '@mui/icons-material/Forum';
import { lazy } from 'react';
import type { ChatRecord } from '../../shared/records.ts';

type ChatShowModule = typeof import('./ChatShow.tsx');
let chatShowModule: ChatShowModule | undefined;

/** Loads the chat review's code; called ahead when a lookup is about to open a chat. */
export const preloadChatShow = (): Promise<ChatShowModule> =>
  import('./ChatShow.tsx').then(module => (chatShowModule = module));

const ChatList = lazy(() => import('./ChatList.tsx').then(module => ({ default: module.ChatList })));
const LazyChatShow = lazy(() => preloadChatShow().then(module => ({ default: module.ChatShow })));

/**
 * Once its code is loaded, the chat review renders at once: a lazy component suspends on its first
 * render even then, and React holds a suspended page back for a moment before showing it.
 */
const ChatShow = () => (chatShowModule ? <chatShowModule.ChatShow /> : <LazyChatShow />);

export default {
  list: ChatList,
  show: ChatShow,
  icon: Forum,
  recordRepresentation: (chat: ChatRecord) => chat.title || `Chat ${chat.id}`,
};
