import type { Db } from '../connection.ts';

export interface PolicyRow {
  approval_threshold: number;
  agent_daily_limit: number;
  lead_approval_threshold: number;
  goodwill_requires_approval: 0 | 1;
  refund_grace_minutes: number;
  updated_at: string;
  updated_by: string | null;
}

export function createPolicyRepository(db: Db) {
  const get = db.prepare<[], PolicyRow>(`SELECT approval_threshold, agent_daily_limit, lead_approval_threshold,
    goodwill_requires_approval, refund_grace_minutes, updated_at, updated_by FROM credit_policy WHERE id = 1`);
  const update = db.prepare<PolicyRow>(`UPDATE credit_policy SET approval_threshold = @approval_threshold,
    agent_daily_limit = @agent_daily_limit, lead_approval_threshold = @lead_approval_threshold,
    goodwill_requires_approval = @goodwill_requires_approval, refund_grace_minutes = @refund_grace_minutes,
    updated_at = @updated_at, updated_by = @updated_by WHERE id = 1`);
  return {
    get: (): PolicyRow => {
      const row = get.get();
      if (!row) throw new Error('credit_policy row is missing: run the migrations');
      return row;
    },
    update: (row: PolicyRow): void => {
      update.run(row);
    },
  };
}
export type PolicyRepository = ReturnType<typeof createPolicyRepository>;
