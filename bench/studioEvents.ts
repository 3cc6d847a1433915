/** One event as the studio sends it (docs/api.md, Ingestion). */
export interface StudioEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

export interface StudioBatch {
  events: StudioEvent[];
  /** Events that write a ledger entry (purchases, grants, charges, refunds). */
  ledgerEvents: number;
}

/** 4 + 24 × 4 = 100 events per customer, so ten customers fill a batch of exactly 1000. */
const RUNS_PER_CUSTOMER = 24;
const CUSTOMERS_PER_BATCH = 10;
/** One run in six fails and is auto-refunded, about the seed's share. */
const FAILED_EVERY = 6;
const TOOLS = ['image', 'video', 'animation', 'upscale'];

/**
 * Self-contained batches of 1000 new events: each customer's story (sign-up,
 * purchase, plan grant, a chat, its runs with charges, assets and refunds)
 * sits in one batch, parents before children, so batches may be sent in any
 * order and nothing waits for a parent from another batch. Ids carry
 * `prefix`, so two feeds into one database never collide.
 */
export function studioBatches(prefix: string, count: number, startMs: number): StudioBatch[] {
  const batches: StudioBatch[] = [];
  let clock = startMs;
  const at = (stepMs: number): string => {
    clock += stepMs;
    return new Date(clock).toISOString();
  };
  for (let b = 0; b < count; b++) {
    const events: StudioEvent[] = [];
    let ledgerEvents = 0;
    const event = (type: string, data: Record<string, unknown>, occurredAt: string): void => {
      events.push({ id: `${prefix}-e${b}-${events.length}`, type, occurred_at: occurredAt, data });
    };
    for (let c = 0; c < CUSTOMERS_PER_BATCH; c++) {
      const customer = `${prefix}-cus-${b}-${c}`;
      const chat = `${prefix}-chat-${b}-${c}`;
      let when = at(60_000);
      event('customer.upserted', { id: customer, name: `Bench Customer ${b}-${c}`, email: `${customer}@bench.example`, plan: 'pro', time_zone: 'Europe/Paris' }, when);
      event('tokens.purchased', { transaction_id: `${customer}-buy`, customer_id: customer, amount: 50_000, created_at: when }, when);
      event('tokens.plan_granted', { transaction_id: `${customer}-plan`, customer_id: customer, amount: 1_000, created_at: when }, when);
      event('chat.created', { id: chat, customer_id: customer, title: 'Bench chat', created_at: when }, when);
      ledgerEvents += 2;
      for (let r = 0; r < RUNS_PER_CUSTOMER; r++) {
        const run = `${chat}-g${r}`;
        const tool = TOOLS[r % TOOLS.length];
        const charge = 10 + ((b * 7 + c * 3 + r) % 90);
        when = at(20_000);
        event('generation.started', { id: run, chat_id: chat, customer_id: customer, tool, model: `${tool}-model`, prompt: `bench prompt ${r}`, started_at: when }, when);
        event('tokens.charged', { transaction_id: `${run}-charge`, customer_id: customer, generation_id: run, amount: charge, created_at: when }, when);
        ledgerEvents++;
        const finished = at(15_000);
        if (r % FAILED_EVERY === FAILED_EVERY - 1) {
          event('generation.failed', { id: run, finished_at: finished, error_code: 'gpu_timeout', error_message: 'GPU timed out' }, finished);
          event('tokens.refunded', { transaction_id: `${run}-refund`, customer_id: customer, charge_transaction_id: `${run}-charge`, amount: charge, created_at: finished }, finished);
          ledgerEvents++;
        } else {
          event('generation.succeeded', { id: run, finished_at: finished }, finished);
          event('asset.created', {
            id: `${run}-a`, generation_id: run, kind: 'image', mime: 'image/png', url: '/media/image-01.png',
            width: 1024, height: 1024, bytes: 180_000, created_at: finished,
          }, finished);
        }
      }
    }
    batches.push({ events, ledgerEvents });
  }
  return batches;
}
