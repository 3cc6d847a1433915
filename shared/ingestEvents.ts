import { z } from 'zod';
import { isSafeAssetUrl } from './assetUrl.ts';
import { plainText } from './text.ts';

/** ISO 8601 with a zone, normalised to UTC with milliseconds so text order is time order. */
export const isoInstant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with a zone, e.g. 2026-11-24T09:30:00Z' })
  .transform((value) => new Date(value).toISOString());

/** Studio ids travel in URLs and lookups: a safe, bounded alphabet. */
export const studioId = z
  .string()
  .min(1, 'is required')
  .max(200, 'is longer than 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may hold only letters, digits and . _ : -');

const tokens = z.number().int('must be a whole number of tokens').positive('must be positive').max(1_000_000_000);
/** Signed as in the ledger (a void is negative): the studio's echo of a credit event. */
const signedTokens = z.number().int('must be a whole number of tokens').min(-1_000_000_000).max(1_000_000_000)
  .refine((amount) => amount !== 0, 'must not be zero');
/** The studio's confirmation that it booked a credit event; never a new ledger entry. */
const creditEcho = z.object({ transaction_id: studioId, credit_id: studioId, customer_id: studioId, amount: signedTokens });
/** Customers' and runs' words, shown to staff: bounded, and free of hidden characters (shared/text.ts). */
const text = (max: number) => z.string().max(max, `is longer than ${max} characters`).check(plainText);

/** Only https: links, or the console's own /media/ files (shared/assetUrl.ts). */
export const assetUrl = z
  .string()
  .max(2048)
  .refine((value) => isSafeAssetUrl(value), 'must be an https: URL or a /media/ path');

export const ingestEventTypes = [
  'customer.upserted',
  'chat.created',
  'generation.started',
  'generation.succeeded',
  'generation.failed',
  'asset.created',
  'tokens.charged',
  'tokens.refunded',
  'tokens.purchased',
  'tokens.plan_granted',
  'tokens.credit_applied',
  'tokens.credit_voided',
] as const;
export type IngestEventType = (typeof ingestEventTypes)[number];

// Unknown fields are dropped (zod's default), so the studio may add fields freely.
export const ingestDataSchemas = {
  'customer.upserted': z.object({
    id: studioId,
    name: text(200).min(1, 'is required'),
    email: text(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address'),
    plan: text(60).min(1, 'is required'),
    time_zone: z
      .string()
      .max(64)
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Paris')
      .nullish(),
  }),
  'chat.created': z.object({
    id: studioId,
    customer_id: studioId,
    title: text(500).nullish(),
    created_at: isoInstant,
  }),
  'generation.started': z.object({
    id: studioId,
    chat_id: studioId,
    customer_id: studioId,
    tool: z.string().min(1).max(40).regex(/^[a-z0-9_-]+$/, 'must be a lower-case tool name'),
    model: text(120).nullish(),
    prompt: text(20_000).nullish(),
    started_at: isoInstant,
  }),
  'generation.succeeded': z.object({ id: studioId, finished_at: isoInstant }),
  'generation.failed': z.object({
    id: studioId,
    finished_at: isoInstant,
    error_code: text(120).min(1, 'is required'),
    error_message: text(2000).nullish(),
  }),
  'asset.created': z.object({
    id: studioId,
    generation_id: studioId,
    kind: z.enum(['image', 'video']),
    mime: z.string().max(100).regex(/^(image|video)\/[a-z0-9.+-]+$/, 'must be an image/ or video/ MIME type'),
    url: assetUrl,
    thumbnail_url: assetUrl.nullish(),
    width: z.number().int().positive().max(100_000).nullish(),
    height: z.number().int().positive().max(100_000).nullish(),
    duration_ms: z.number().int().nonnegative().max(86_400_000).nullish(),
    bytes: z.number().int().nonnegative().max(1e13).nullish(),
    created_at: isoInstant,
  }),
  'tokens.charged': z.object({
    transaction_id: studioId,
    customer_id: studioId,
    generation_id: studioId,
    amount: tokens,
    created_at: isoInstant,
  }),
  'tokens.refunded': z.object({
    transaction_id: studioId,
    customer_id: studioId,
    charge_transaction_id: studioId,
    amount: tokens,
    created_at: isoInstant,
  }),
  'tokens.purchased': z.object({ transaction_id: studioId, customer_id: studioId, amount: tokens, created_at: isoInstant }),
  'tokens.plan_granted': z.object({ transaction_id: studioId, customer_id: studioId, amount: tokens, created_at: isoInstant }),
  'tokens.credit_applied': creditEcho,
  'tokens.credit_voided': creditEcho,
} satisfies Record<IngestEventType, z.ZodType>;

export type IngestData<T extends IngestEventType> = z.infer<(typeof ingestDataSchemas)[T]>;

/** The envelope's fields; `data` is checked by the schema of its type. */
export const ingestEventEnvelopeSchema = z.object({
  id: studioId,
  type: z.enum(ingestEventTypes, { message: `must be one of ${ingestEventTypes.join(', ')}` }),
  occurred_at: isoInstant,
  data: z.record(z.string(), z.unknown()),
});

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;

export const ingestBatchSchema = z.object({
  events: z.array(z.unknown()).min(1, 'must hold at least one event'),
});

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { id: string | null; error: string }[];
}
