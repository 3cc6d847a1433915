import { policyRepository, type PolicyRow } from '../../db/repositories/policyRepository.ts';
import type { Storage } from '../../db/storage/types.ts';
import type { Policy } from '../../shared/credits.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { isoNow, type Clock } from '../clock.ts';

const rowToPolicy = (row: PolicyRow): Policy => ({
  approval_threshold: row.approval_threshold,
  agent_daily_limit: row.agent_daily_limit,
  lead_approval_threshold: row.lead_approval_threshold,
  goodwill_requires_approval: row.goodwill_requires_approval === 1,
  refund_grace_minutes: row.refund_grace_minutes,
});

/** The credit policy through the storage seam. */
function seamPolicyService(storage: Storage, audit: AuditLog, clock: Clock) {
  return {
    get: async (): Promise<Policy> => rowToPolicy(await policyRepository.get(storage)),
    /** Replaces the credit policy, audited with before and after. */
    update: (next: Policy, actor: Actor & { type: 'staff' }, origin: RequestOrigin): Promise<Policy> =>
      storage.transaction(async (tx) => {
        const before = rowToPolicy(await policyRepository.getForUpdate(tx));
        await policyRepository.update(tx, {
          ...next,
          goodwill_requires_approval: next.goodwill_requires_approval ? 1 : 0,
          updated_at: isoNow(clock),
          updated_by: actor.id,
        });
        await audit.append(tx, { actor, action: 'policy.updated', entityType: 'policy', entityId: 'credit_policy', before, after: next, origin });
        return next;
      }),
  };
}
export type PolicyService = ReturnType<typeof seamPolicyService>;

export function createPolicyService(storage: Storage, audit: AuditLog, clock: Clock): PolicyService {
  return seamPolicyService(storage, audit, clock);
}
