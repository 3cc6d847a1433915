import { z } from 'zod';

export const lookupTypes = ['chat', 'customer', 'generation', 'transaction'] as const;

/** What `GET /api/lookup?q=` answers: the record a pasted id, chat URL or e-mail names (docs/api.md). */
export const lookupResultSchema = z.object({
  type: z.enum(lookupTypes),
  id: z.string(),
  customer_id: z.string(),
  chat_id: z.string().optional(),
});
export type LookupResult = z.infer<typeof lookupResultSchema>;
