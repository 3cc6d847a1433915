import type { Db } from '../../db/connection.ts';
import { createPolicyRepository, type PolicyRow } from '../../db/repositories/policyRepository.ts';
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

export function createPolicyService(db: Db, audit: AuditLog, clock: Clock) {
  const repo = createPolicyRepository(db);
  return {
    get: (): Policy => rowToPolicy(repo.get()),
    /** Replaces the credit policy, audited with before and after. */
    update: (next: Policy, actor: Actor & { type: 'staff' }, origin: RequestOrigin): Policy =>
      db
        .transaction(() => {
          const before = rowToPolicy(repo.get());
          repo.update({ ...next, goodwill_requires_approval: next.goodwill_requires_approval ? 1 : 0, updated_at: isoNow(clock), updated_by: actor.id });
          audit.record({ actor, action: 'policy.updated', entityType: 'policy', entityId: 'credit_policy', before, after: next, origin });
          return next;
        })
        .immediate(),
  };
}
export type PolicyService = ReturnType<typeof createPolicyService>;
