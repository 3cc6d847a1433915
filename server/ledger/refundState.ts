import { createPolicyRepository } from '../../db/repositories/policyRepository.ts';
import type { Db } from '../../db/connection.ts';
import type { Clock } from '../clock.ts';

/**
 * The `@grace_cutoff` of refundStateSql: a failed run that finished after
 * this instant is still `refund_pending`; before it, `refund_missing`.
 */
export function createGraceCutoff(db: Db, clock: Clock): () => string {
  const policy = createPolicyRepository(db);
  return () => new Date(clock().getTime() - policy.get().refund_grace_minutes * 60_000).toISOString();
}
