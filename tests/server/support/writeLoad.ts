import { DEMO_INGEST_SECRET } from '../../../server/config.ts';
import { signBody } from '../../../server/ingest/signature.ts';
import { scenario } from './ingest.ts';

/** Sends credits for the given runs, each under its own idempotency key, until told to stop or out of runs. */
export async function creditLoad(
  url: string,
  session: { cookie: string; csrf: string },
  customerId: string,
  runIds: string[],
  acknowledged: Map<string, string>,
  stop: () => boolean,
): Promise<void> {
  while (!stop()) {
    const run = runIds.shift();
    if (!run) return;
    try {
      const res = await fetch(`${url}/api/credits`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'Idempotency-Key': `load-${run}` },
        body: JSON.stringify({ customer_id: customerId, items: [{ generation_id: run, tokens: 5 }], amount: 5, reason: 'off_prompt', ticket_ref: 'T-1', expected: 'e', received: 'r' }),
      });
      if (res.status === 201) acknowledged.set(((await res.json()) as { id: string }).id, run);
    } catch {
      return; // the server went away: that request was never acknowledged
    }
  }
}

/** Posts signed ingestion batches (a whole studio scenario each) until told to stop. */
export async function ingestLoad(url: string, prefix: string, acknowledged: Set<string>, stop: () => boolean): Promise<void> {
  for (let n = 0; !stop(); n++) {
    const events = scenario(`${prefix}${n}`);
    const body = JSON.stringify({ events });
    try {
      const res = await fetch(`${url}/api/ingest/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Signature': signBody(DEMO_INGEST_SECRET, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      if (res.status === 200) for (const event of events) acknowledged.add(event.id);
    } catch {
      return;
    }
  }
}
