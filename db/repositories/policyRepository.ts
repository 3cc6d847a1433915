import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export interface PolicyRow {
  approval_threshold: number;
  agent_daily_limit: number;
  lead_approval_threshold: number;
  goodwill_requires_approval: 0 | 1;
  refund_grace_minutes: number;
  updated_at: string;
  updated_by: string | null;
}

const sql = {
  get: `SELECT approval_threshold, agent_daily_limit, lead_approval_threshold,
    goodwill_requires_approval, refund_grace_minutes, updated_at, updated_by FROM credit_policy WHERE id = 1`,
  update: `UPDATE credit_policy SET approval_threshold = @approval_threshold,
    agent_daily_limit = @agent_daily_limit, lead_approval_threshold = @lead_approval_threshold,
    goodwill_requires_approval = @goodwill_requires_approval, refund_grace_minutes = @refund_grace_minutes,
    updated_at = @updated_at, updated_by = @updated_by WHERE id = 1`,
};

const present = (row: PolicyRow | undefined): PolicyRow => {
  if (!row) throw new Error('credit_policy row is missing: run the migrations');
  return row;
};

/** The credit policy through the storage seam (db/storage/types.ts). */
export const policyRepository = {
  get: async (q: Queryable): Promise<PolicyRow> => present(await q.get<PolicyRow>(sql.get)),
  /**
   * The policy a credit decision is taken under: on PostgreSQL its row stays locked (shared) until
   * the transaction ends, so a policy change waits for the decisions already taken under the old one.
   */
  getForDecision: async (tx: Transaction): Promise<PolicyRow> =>
    present(await tx.get<PolicyRow>({ sqlite: sql.get, postgres: `${sql.get} FOR SHARE` })),
  /**
   * The policy about to be replaced: on PostgreSQL its row stays locked until the transaction ends,
   * so two changes follow each other and each audits the policy it really replaced.
   */
  getForUpdate: async (tx: Transaction): Promise<PolicyRow> =>
    present(await tx.get<PolicyRow>({ sqlite: sql.get, postgres: `${sql.get} FOR UPDATE` })),
  update: async (tx: Transaction, row: PolicyRow): Promise<void> => {
    await tx.run(sql.update, row);
  },
};

export function createPolicyRepository(db: Db) {
  const get = db.prepare<[], PolicyRow>(sql.get);
  const update = db.prepare<PolicyRow>(sql.update);
  return {
    get: (): PolicyRow => present(get.get()),
    update: (row: PolicyRow): void => {
      update.run(row);
    },
  };
}
export type PolicyRepository = ReturnType<typeof createPolicyRepository>;
