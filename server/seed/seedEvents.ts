import type { ChatRow } from '../../db/repositories/chatRepository.ts';
import type { NewGeneration } from '../../db/repositories/generationRepository.ts';
import type { LedgerKind, NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import type { NewAsset } from '../../db/repositories/seedRepository.ts';
import { isoAt } from './isoTime.ts';
import type { Random } from './random.ts';
import type { RunPlan } from './runs.ts';
import { seededId } from './seedIds.ts';

/** One row to write, at the moment it happened. */
export type SeedEvent =
  | { type: 'chat'; at: number; row: ChatRow }
  | { type: 'generation'; at: number; row: NewGeneration; tokens: number }
  | { type: 'ledger'; at: number; row: NewLedgerEntry }
  | { type: 'asset'; at: number; row: NewAsset };

export type LedgerEvent = Extract<SeedEvent, { type: 'ledger' }>;

interface RunLinks {
  generation_id: string;
  chat_id: string;
  tool: string;
  reverses_id: string | null;
}

/**
 * A ledger row without its balance_after (0 here): the customer's timeline
 * sets it once the row has its place in time order.
 */
export function ledgerEvent(at: number, customerId: string, id: string, kind: LedgerKind, amount: number, links?: RunLinks): LedgerEvent {
  const iso = isoAt(at);
  return {
    type: 'ledger',
    at,
    row: {
      id,
      customer_id: customerId,
      kind,
      amount,
      balance_after: 0,
      created_at: iso,
      recorded_at: iso,
      generation_id: links?.generation_id ?? null,
      chat_id: links?.chat_id ?? null,
      tool: links?.tool ?? null,
      reverses_id: links?.reverses_id ?? null,
      credit_id: null,
    },
  };
}

/**
 * Appends the rows of one run to `into`: the run itself (in its final state),
 * its charge when it was charged, then its outputs or its auto-refund.
 * Returns whether it is a charged failure left without its refund.
 */
export function runEvents(run: RunPlan, customerId: string, end: number, random: Random, into: SeedEvent[]): boolean {
  const id = run.id ?? seededId('gen', run.startAt, random);
  const { outcome } = run;
  const finished = outcome.status === 'succeeded' || outcome.status === 'failed';
  into.push({
    type: 'generation',
    at: run.startAt,
    tokens: run.tokens,
    row: {
      id,
      chat_id: run.chatId,
      customer_id: customerId,
      tool: run.tool,
      model: run.model,
      prompt: run.prompt,
      status: outcome.status,
      error_code: outcome.status === 'failed' ? outcome.errorCode : null,
      error_message: outcome.status === 'failed' ? outcome.errorMessage : null,
      started_at: isoAt(run.startAt),
      finished_at: finished ? isoAt(outcome.finishAt) : null,
      status_at: isoAt(finished ? outcome.finishAt : outcome.statusAt),
    },
  });
  if (run.tokens === 0) return false;
  const chargeAt = Math.min(run.startAt + random.int(5, 400), end - 1);
  const chargeId = run.chargeId ?? seededId('txn', chargeAt, random);
  const links = { generation_id: id, chat_id: run.chatId, tool: run.tool, reverses_id: null };
  into.push(ledgerEvent(chargeAt, customerId, chargeId, 'charge', -run.tokens, links));
  if (outcome.status === 'succeeded') {
    const createdAt = isoAt(outcome.finishAt);
    for (const asset of outcome.assets) {
      into.push({
        type: 'asset',
        at: outcome.finishAt,
        row: {
          id: asset.id ?? seededId('ast', outcome.finishAt, random),
          generation_id: id,
          customer_id: customerId,
          kind: asset.kind,
          mime: asset.mime,
          url: asset.url,
          thumbnail_url: asset.thumbnailUrl,
          width: asset.width,
          height: asset.height,
          duration_ms: asset.durationMs,
          bytes: asset.bytes,
          created_at: createdAt,
        },
      });
    }
  } else if (outcome.status === 'failed') {
    if (outcome.refundAt === null) return true;
    const refundId = run.refundId ?? seededId('txn', outcome.refundAt, random);
    into.push(ledgerEvent(outcome.refundAt, customerId, refundId, 'auto_refund', run.tokens, { ...links, reverses_id: chargeId }));
  }
  return false;
}
