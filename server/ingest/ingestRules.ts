import type { z } from 'zod';
import type { IngestData } from '../../shared/ingestEvents.ts';
import type { HeldParentKind } from '../../shared/reports.ts';

/**
 * The rules an ingestion event must meet against the records already stored
 * (docs/api.md, Ingestion), written once for the live path
 * (ingestService.ts) and the bulk history import (history/historyWindow.ts).
 * Each answers the reason the event is rejected, in the words the studio is
 * sent, or null when the event may be applied.
 */

/** The fields of a zod failure as the studio reads them: `data.amount: must be positive`. */
export const describeIssues = (error: z.ZodError, prefix: string): string =>
  error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`).join('; ');

/** The kinds of parent record an event may wait for, by the prefix of its `waits_for` key (`customer:cus_1`). */
const parentKinds: Record<string, HeldParentKind> = { customer: 'customer', chat: 'chat', generation: 'generation', txn: 'transaction' };
const parentWords: Record<HeldParentKind, string> = { customer: 'customer', chat: 'chat', generation: 'run', transaction: 'transaction' };

/** A `waits_for` key as the record it names. */
export function parentOf(key: string): { kind: HeldParentKind; id: string } {
  const colon = key.indexOf(':');
  return { kind: parentKinds[key.slice(0, colon)], id: key.slice(colon + 1) };
}

/** A `waits_for` key in words: `run gen_1`. */
export function parentInWords(key: string): string {
  const { kind, id } = parentOf(key);
  return `${parentWords[kind]} ${id}`;
}

/** A chat keeps the customer it was first stored with. */
export function chatClaimProblem(chatId: string, storedOwner: string | undefined, customerId: string): string | null {
  return storedOwner !== undefined && storedOwner !== customerId ? `chat ${chatId} belongs to customer ${storedOwner}, not ${customerId}` : null;
}

/** A run belongs to its chat's customer, and keeps the chat and customer it was first stored with. */
export function runStartProblem(
  d: IngestData<'generation.started'>,
  chatOwner: string | undefined,
  storedRun: { chat_id: string; customer_id: string } | undefined,
): string | null {
  if (chatOwner !== d.customer_id) return `chat ${d.chat_id} belongs to customer ${chatOwner}, not ${d.customer_id}`;
  if (storedRun && (storedRun.chat_id !== d.chat_id || storedRun.customer_id !== d.customer_id)) {
    return `run ${d.id} already belongs to chat ${storedRun.chat_id}`;
  }
  return null;
}

/** A charge is its run's customer's, and a run is charged once. */
export function chargeProblem(d: IngestData<'tokens.charged'>, run: { customer_id: string }, existingChargeId: string | null | undefined): string | null {
  if (run.customer_id !== d.customer_id) return `run ${d.generation_id} belongs to customer ${run.customer_id}, not ${d.customer_id}`;
  if (existingChargeId) return `run ${d.generation_id} is already charged by transaction ${existingChargeId}`;
  return null;
}

/** An event about a run (its outcome aside) needs the run stored. */
export const missingRunProblem = (runId: string): string => `run ${runId} does not exist`;

/** An auto-refund names a charge that is stored. */
export const missingChargeProblem = (d: IngestData<'tokens.refunded'>): string => `transaction ${d.charge_transaction_id} is not a charge`;

/** An auto-refund reverses one whole charge of the same customer. */
export function refundProblem(d: IngestData<'tokens.refunded'>, charge: { id: string; kind: string; customer_id: string; amount: number }): string | null {
  if (charge.kind !== 'charge') return missingChargeProblem(d);
  if (charge.customer_id !== d.customer_id) return `charge ${charge.id} belongs to customer ${charge.customer_id}, not ${d.customer_id}`;
  if (d.amount !== -charge.amount) return `an auto-refund reverses the whole charge: ${-charge.amount} tokens, not ${d.amount}`;
  return null;
}
