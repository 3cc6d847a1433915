import { nameFilterSchema } from '../../shared/listQuery.ts';
import { refundStateSchema, generationStatusSchema, type GenerationStatus, type RefundState } from '../../shared/refundState.ts';
import { filterOn, listStatements, type FilterDef, type ListSpec } from './listStatements.ts';
import { refundStateSql } from './refundStateSql.ts';

export interface GenerationListRow {
  id: string;
  chat_id: string;
  customer_id: string;
  tool: string;
  model: string | null;
  prompt: string | null;
  status: GenerationStatus;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
  refund_state: RefundState;
  tokens_charged: number;
  tokens_auto_refunded: number;
  tokens_credited: number;
  tokens_reserved: number;
  asset_count: number;
  charge_id: string | null;
  auto_refund_id: string | null;
  auto_refunded_at: string | null;
}

/**
 * Terms implied by a refund state (refundStateSql stays the rule; these only
 * repeat what it implies) that let an index find rare states without reading
 * every run: the partial indexes generations_unsettled, generations_uncharged,
 * generations_auto_refunded and generations_unrefunded_started (002), and
 * credit_items. The common state, `none`, needs none.
 */
const refundStateHints: Partial<Record<RefundState, string>> = {
  in_progress: "g.status <> 'succeeded' AND g.status IN ('queued', 'running')",
  not_charged: 'g.tokens_charged = 0',
  auto_refunded: 'g.auto_refund_id IS NOT NULL',
  credited: 'g.id IN (SELECT ci.generation_id FROM credit_items ci)',
  refund_pending: "g.status = 'failed' AND g.tokens_charged > 0 AND g.auto_refund_id IS NULL",
  refund_missing: "g.status = 'failed' AND g.tokens_charged > 0 AND g.auto_refund_id IS NULL",
};

/** The state filter compares refundStateSql itself, so the list and the records can never disagree. */
const refundStateFilter: FilterDef = {
  schema: refundStateSchema,
  role: { kind: 'attribute' },
  where: (param, value, drives) => {
    const condition = `(${refundStateSql}) = @${param}`;
    const hint = drives ? refundStateHints[value as RefundState] : undefined;
    return hint ? `${condition} AND ${hint}` : condition;
  },
  bind: (param, value) => ({ [param]: value as RefundState }),
};

export const generationListSpec: ListSpec = {
  select: `SELECT g.id, g.chat_id, g.customer_id, g.tool, g.model, g.prompt, g.status, g.error_code, g.error_message,
      g.started_at, g.finished_at, ${refundStateSql} AS refund_state,
      g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved, g.asset_count,
      g.charge_id, g.auto_refund_id,
      (SELECT r.created_at FROM ledger_entries r WHERE r.id = g.auto_refund_id) AS auto_refunded_at
    FROM generations g`,
  from: 'generations g',
  key: 'g.id',
  idColumn: 'g.id',
  filters: {
    id: filterOn.key('g.id', 0),
    chat_id: filterOn.key('g.chat_id', 1, true),
    customer_id: filterOn.key('g.customer_id', 2, true),
    tool: filterOn.equals('g.tool', nameFilterSchema),
    // Runs that did not succeed are few: the partial index generations_unsettled holds them.
    status: filterOn.equals('g.status', generationStatusSchema, (status) => (status === 'succeeded' ? undefined : "g.status <> 'succeeded'")),
    refund_state: refundStateFilter,
    started_at_gte: filterOn.time('g.started_at', 'gte'),
    started_at_lte: filterOn.time('g.started_at', 'lte'),
  },
  sorts: {
    started_at: { expr: 'g.started_at' },
    id: { expr: 'g.id', narrowedOnly: true },
    finished_at: { expr: 'g.finished_at', nullable: true, narrowedOnly: true },
    tool: { expr: 'g.tool', narrowedOnly: true },
    status: { expr: 'g.status', narrowedOnly: true },
    tokens_charged: { expr: 'g.tokens_charged', narrowedOnly: true },
  },
  defaultSort: { field: 'started_at', order: 'DESC' },
  totals: 'capped',
};

/** Lists of runs through the storage seam. Every call binds `grace_cutoff` (graceCutoff) for the refund state. */
export const generationQueries = listStatements<GenerationListRow>(generationListSpec);
