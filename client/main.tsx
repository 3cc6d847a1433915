import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { preloadChatShow } from './chats/index.tsx';
import { askLookup } from './dataProvider.ts';
import { openHelpdeskLink } from './lookup/earlyLookup.ts';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

const render = () =>
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );

// A helpdesk link's chat is looked up, and the chat review's code fetched, while the app loads;
// when the answer comes in time, the app opens on the chat itself.
void openHelpdeskLink(window.location.hash, askLookup, { onChat: preloadChatShow }).finally(render);
