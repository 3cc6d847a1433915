import { createPolicyRepository, policyRepository } from '../../db/repositories/policyRepository.ts';
import type { Db } from '../../db/connection.ts';
import type { Queryable } from '../../db/storage/types.ts';
import type { Clock } from '../clock.ts';

/**
 * The `@grace_cutoff` of refundStateSql: a failed run that finished after
 * this instant is still `refund_pending`; before it, `refund_missing`.
 */
export function createGraceCutoff(db: Db, clock: Clock): () => string {
  const policy = createPolicyRepository(db);
  return () => new Date(clock().getTime() - policy.get().refund_grace_minutes * 60_000).toISOString();
}

/** The cutoff at this moment under a policy already read. */
export const cutoffUnder = (policy: { refund_grace_minutes: number }, clock: Clock): string =>
  new Date(clock().getTime() - policy.refund_grace_minutes * 60_000).toISOString();

/** `createGraceCutoff` through the storage seam: the cutoff at this moment, read on `q`. */
export async function graceCutoff(q: Queryable, clock: Clock): Promise<string> {
  return cutoffUnder(await policyRepository.get(q), clock);
}
