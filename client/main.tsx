import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { preloadChatShow } from './chats/index.ts';
import { askLookup } from './dataProvider.ts';
import { helpdeskLinkQuery, startEarlyLookup } from './lookup/earlyLookup.ts';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

// A helpdesk link's chat is looked up, and the chat review's code fetched, while the app loads.
const linked = helpdeskLinkQuery(window.location.hash);
if (linked) {
  void startEarlyLookup(linked, askLookup).then(answer => {
    if (answer?.type === 'chat') void preloadChatShow();
  });
}

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
