import type { RefundState } from '../../shared/refundState.ts';
import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';
import { refundStateSql } from './refundStateSql.ts';

export interface GenerationRow {
  id: string;
  chat_id: string;
  customer_id: string;
  tool: string;
  model: string | null;
  prompt: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
  status_at: string;
  tokens_charged: number;
  tokens_auto_refunded: number;
  tokens_credited: number;
  tokens_reserved: number;
  charge_id: string | null;
  auto_refund_id: string | null;
  asset_count: number;
}

export type NewGeneration = Pick<
  GenerationRow,
  'id' | 'chat_id' | 'customer_id' | 'tool' | 'model' | 'prompt' | 'status' | 'error_code' | 'error_message' | 'started_at' | 'finished_at' | 'status_at'
>;

export type GenerationOutcome = Pick<GenerationRow, 'id' | 'status' | 'error_code' | 'error_message' | 'finished_at' | 'status_at'>;

export type CreditableRun = Pick<GenerationRow, 'id' | 'customer_id' | 'chat_id' | 'tool' | 'tokens_charged' | 'finished_at'>;

const creditable = (notDemoCustomer: string): string => `SELECT id, customer_id, chat_id, tool, tokens_charged, finished_at FROM generations
      WHERE status = 'succeeded' AND tokens_charged >= @min_tokens AND auto_refund_id IS NULL
        AND tokens_credited = 0 AND tokens_reserved = 0 AND ${notDemoCustomer}
      ORDER BY id LIMIT @limit`;

const sql = {
  insert: `INSERT INTO generations
    (id, chat_id, customer_id, tool, model, prompt, status, error_code, error_message, started_at, finished_at, status_at)
    VALUES (@id, @chat_id, @customer_id, @tool, @model, @prompt, @status, @error_code, @error_message, @started_at, @finished_at, @status_at)`,
  setOutcome: `UPDATE generations SET status = @status, error_code = @error_code,
    error_message = @error_message, finished_at = @finished_at, status_at = @status_at WHERE id = @id`,
  byId: 'SELECT * FROM generations WHERE id = ?',
  // Customers with a second underscore (cus_maya_chen) are the seed's stories, which write their own credits;
  // GLOB is case-sensitive, as PostgreSQL's ~ is.
  creditable: { sqlite: creditable("customer_id NOT GLOB 'cus_*_*'"), postgres: creditable("customer_id !~ '^cus_.*_'") },
  stateOf: `SELECT ${refundStateSql} AS refund_state FROM generations g WHERE g.id = @id`,
};

/** Runs through the storage seam (db/storage/types.ts). */
export const generationRepository = {
  insert: async (tx: Transaction, row: NewGeneration): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  setOutcome: async (tx: Transaction, outcome: GenerationOutcome): Promise<void> => {
    await tx.run(sql.setOutcome, outcome);
  },
  byId: (q: Queryable, id: string): Promise<GenerationRow | undefined> => q.get(sql.byId, [id]),
  /** Succeeded, charged, untouched runs (for demo credit history), in id order. */
  creditableRuns: (q: Queryable, minTokens: number, limit: number): Promise<CreditableRun[]> =>
    q.all(sql.creditable, { min_tokens: minTokens, limit }),
  /** The derived refund state; `graceCutoff` is now minus the grace period (server/ledger/refundState.ts graceCutoff). */
  refundStateOf: async (q: Queryable, id: string, graceCutoff: string): Promise<RefundState | undefined> =>
    (await q.get<{ refund_state: RefundState }>(sql.stateOf, { id, grace_cutoff: graceCutoff }))?.refund_state,
};

export function createGenerationRepository(db: Db) {
  const insert = db.prepare<NewGeneration>(sql.insert);
  const setOutcome = db.prepare<GenerationOutcome>(sql.setOutcome);
  const byId = db.prepare<[string], GenerationRow>(sql.byId);
  const creditable = db.prepare<{ min_tokens: number; limit: number; finished_before: string }, CreditableRun>(sql.creditable.sqlite);
  const stateOf = db.prepare<{ id: string; grace_cutoff: string }, RefundState>(sql.stateOf).pluck();

  return {
    insert: (row: NewGeneration): void => {
      insert.run(row);
    },
    setOutcome: (outcome: GenerationOutcome): void => {
      setOutcome.run(outcome);
    },
    byId: (id: string): GenerationRow | undefined => byId.get(id),
    /** Succeeded, charged, untouched runs (for demo credit history), in id order. */
    creditableRuns: (minTokens: number, limit: number, finishedBefore: string) =>
      creditable.all({ min_tokens: minTokens, limit, finished_before: finishedBefore }),
    /** The derived refund state; `graceCutoff` is now minus the grace period. */
    refundStateOf: (id: string, graceCutoff: string): RefundState | undefined => stateOf.get({ id, grace_cutoff: graceCutoff }),
  };
}
export type GenerationRepository = ReturnType<typeof createGenerationRepository>;
