/**
 * How often the menu's counts (approvals waiting, missing refunds) and the home page's lists ask
 * again: a credit requested or decided in another session shows within this, without a reload.
 * Half of the 30 s a person may wait, so one slow answer still lands in time. Only while the tab
 * is visible (react-query's default); a tab coming back to the front asks at once.
 */
export const LIVE_REFRESH_MS = 15_000;
