import type { RefundState } from '../../shared/refundState.ts';
import type { Db } from '../connection.ts';
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

export function createGenerationRepository(db: Db) {
  const insert = db.prepare<NewGeneration>(`INSERT INTO generations
    (id, chat_id, customer_id, tool, model, prompt, status, error_code, error_message, started_at, finished_at, status_at)
    VALUES (@id, @chat_id, @customer_id, @tool, @model, @prompt, @status, @error_code, @error_message, @started_at, @finished_at, @status_at)`);
  const setOutcome = db.prepare<GenerationOutcome>(`UPDATE generations SET status = @status, error_code = @error_code,
    error_message = @error_message, finished_at = @finished_at, status_at = @status_at WHERE id = @id`);
  const byId = db.prepare<[string], GenerationRow>('SELECT * FROM generations WHERE id = ?');
  const creditable = db.prepare<{ min_tokens: number; limit: number; finished_before: string }, Pick<GenerationRow, 'id' | 'customer_id' | 'chat_id' | 'tool' | 'tokens_charged' | 'finished_at'>>(
    `SELECT id, customer_id, chat_id, tool, tokens_charged, finished_at FROM generations
      WHERE status = 'succeeded' AND tokens_charged >= @min_tokens AND auto_refund_id IS NULL
        AND tokens_credited = 0 AND tokens_reserved = 0 AND customer_id NOT GLOB 'cus_*_*'
      ORDER BY id LIMIT @limit`,
  );
  const stateOf = db
    .prepare<{ id: string; grace_cutoff: string }, RefundState>(`SELECT ${refundStateSql} FROM generations g WHERE g.id = @id`)
    .pluck();

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
