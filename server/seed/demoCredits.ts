import { generationRepository } from '../../db/repositories/generationRepository.ts';
import { staffRepository } from '../../db/repositories/staffRepository.ts';
import type { CreditRequest } from '../../shared/credits.ts';
import { createAuditLog } from '../audit/auditLog.ts';
import type { Clock } from '../clock.ts';
import type { AppContext } from '../context.ts';
import { createCreditReversals } from '../credits/creditReversals.ts';
import { createCreditService, hashRequestBody, type Requester } from '../credits/creditService.ts';
import { createLedger } from '../ledger/ledger.ts';
import { stories } from './stories.ts';

const DAY = 86_400_000;

type Run = { id: string; customer_id: string; tokens_charged: number };

interface Step {
  daysAgo: number;
  by: 'agent' | 'sam' | 'lead';
  /** Runs of one customer, with the tokens to return for each (default: all of it). */
  items: { run: Run; tokens?: number }[];
  reason: CreditRequest['reason'];
  then?: 'reject' | 'void';
}

/**
 * A few weeks of support work on the demo data, made through the real credit
 * service at past times: ordinary credits, one waiting for approval, one
 * rejected, one voided, and the patterns the lead dashboard flags (a volume
 * spike, repeated credits to one customer, credits just under the approval
 * threshold, a run credited twice). Maya Chen's chat is left untouched for
 * the walkthrough.
 */
export async function loadDemoCredits(ctx: AppContext, now: Date): Promise<number> {
  const { storage } = ctx;
  const agent = await staffRepository.byEmail(storage, 'agent@tokendesk.test');
  const lead = await staffRepository.byEmail(storage, 'lead@tokendesk.test');
  const admin = await staffRepository.byEmail(storage, 'admin@tokendesk.test');
  if (!agent || !lead || !admin) return 0;
  const sam = (await staffRepository.byEmail(storage, 'sam.support@tokendesk.test'))
    ?? (await staffRepository.byId(storage, (await ctx.staff.create({ email: 'sam.support@tokendesk.test', name: 'Sam Support', role: 'agent', password: crypto.randomUUID() }, { type: 'system' })).id));
  if (!sam) return 0;
  const people: Record<Step['by'], Requester> = {
    agent: { id: agent.id, name: agent.name, role: agent.role },
    sam: { id: sam.id, name: sam.name, role: sam.role },
    lead: { id: lead.id, name: lead.name, role: lead.role },
  };

  const runs = await generationRepository.creditableRuns(storage, 4, 2000);
  const small = runs.filter((r) => r.tokens_charged < 100);
  const bigByCustomer = new Map<string, Run[]>();
  for (const run of runs.filter((r) => r.tokens_charged >= 250)) bigByCustomer.set(run.customer_id, [...(bigByCustomer.get(run.customer_id) ?? []), run]);
  const bigPairs = [...bigByCustomer.values()].filter((list) => list.length >= 2);
  const pendingPair = bigPairs.find((pair) => pair[0].tokens_charged + pair[1].tokens_charged > 520 && !bigPairs.slice(0, 4).includes(pair));
  if (bigPairs.length < 5 || !pendingPair) return 0;
  const repeatCustomer = small[0].customer_id;
  const sameCustomer = small.filter((r) => r.customer_id === repeatCustomer).slice(0, 3);
  // One run per customer, so only the deliberate pattern repeats customers.
  const others = [...new Map(small.filter((r) => r.customer_id !== repeatCustomer).map((r) => [r.customer_id, r] as const)).values()];
  const one = (run: Run, tokens?: number) => [{ run, tokens }];

  const steps: Step[] = [
    ...others.slice(0, 14).map((run, i): Step => ({ daysAgo: 24 - i, by: i % 2 ? 'agent' : 'sam', items: one(run), reason: i % 3 ? 'off_prompt' : 'visual_artifacts' })),
    ...sameCustomer.map((run, i): Step => ({ daysAgo: 9 - i * 3, by: 'agent', items: one(run), reason: 'wrong_format_or_length' })),
    // Just under the approval threshold of 500, twice.
    { daysAgo: 6, by: 'agent', items: [{ run: bigPairs[0][0], tokens: 240 }, { run: bigPairs[0][1], tokens: 240 }], reason: 'visual_artifacts' },
    { daysAgo: 5, by: 'agent', items: [{ run: bigPairs[1][0], tokens: 245 }, { run: bigPairs[1][1], tokens: 250 }], reason: 'off_prompt' },
    { daysAgo: 4, by: 'lead', items: one(others[14]), reason: 'duplicate_run', then: 'void' },
    { daysAgo: 3, by: 'agent', items: bigPairs[2].slice(0, 2).map((run) => ({ run })), reason: 'safety_false_positive', then: 'reject' },
    // Sam's busy day.
    ...others.slice(15, 19).map((run): Step => ({ daysAgo: 1, by: 'sam', items: one(run), reason: 'visual_artifacts' })),
    { daysAgo: 1, by: 'sam', items: one(bigPairs[3][0]), reason: 'wrong_format_or_length' },
    { daysAgo: 1, by: 'sam', items: one(bigPairs[3][1]), reason: 'wrong_format_or_length' },
    // One run credited in two parts by two agents.
    { daysAgo: 1, by: 'agent', items: one(others[19], Math.max(1, others[19].tokens_charged - 1)), reason: 'off_prompt' },
    { daysAgo: 0, by: 'sam', items: one(others[19], 1), reason: 'off_prompt' },
    // Above the agent's threshold: waits in the approval queue.
    { daysAgo: 0, by: 'agent', items: pendingPair.slice(0, 2).map((run) => ({ run })), reason: 'visual_artifacts' },
  ];

  const tomasRun = await generationRepository.byId(storage, stories.tomas.runs.duplicate);
  if (tomasRun && tomasRun.status === 'succeeded' && tomasRun.tokens_charged > 0 && tomasRun.tokens_credited === 0) {
    steps.push({ daysAgo: 0, by: 'agent', items: one({ id: tomasRun.id, customer_id: tomasRun.customer_id, tokens_charged: tomasRun.tokens_charged }), reason: 'duplicate_run' });
  }
  steps.sort((a, b) => b.daysAgo - a.daysAgo);

  let made = 0;
  for (const [i, step] of steps.entries()) {
    // Always in the past of `now`, a few hours apart.
    const at = now.getTime() - step.daysAgo * DAY - (1 + (i % 8)) * 3_600_000;
    const clock: Clock = () => new Date(at);
    // Services on the seam alone, at this step's time.
    const audit = createAuditLog(null, clock);
    const ledger = createLedger(null, clock);
    const credits = createCreditService(storage, ledger, createCreditReversals(null, ledger, audit, clock), audit, clock);
    const items = step.items.map(({ run, tokens }) => ({ generation_id: run.id, tokens: tokens ?? run.tokens_charged }));
    const partial = step.items.some(({ run, tokens }) => tokens !== undefined && tokens !== run.tokens_charged);
    const body: CreditRequest = {
      customer_id: step.items[0].run.customer_id,
      items,
      amount: items.reduce((sum, item) => sum + item.tokens, 0),
      reason: step.reason,
      ticket_ref: `ZD-${4100 + i}`,
      expected: 'What the prompt asked for',
      received: step.reason === 'duplicate_run' ? 'The same run was started twice' : 'An output that missed the brief',
      note: partial ? 'Part of the output was usable' : null,
    };
    const origin = { requestId: `demo-${i}`, clientIp: null };
    const answer = await credits.request(body, `demo-${i}`, hashRequestBody(body), people[step.by], origin);
    made++;
    if (step.then === 'reject') await credits.reject(answer.record.id, 'The output matches the prompt; explained to the customer.', people.lead, origin);
    if (step.then === 'void') await credits.voidCredit(answer.record.id, 'Credited on the wrong account.', { id: admin.id, name: admin.name, role: admin.role }, origin);
  }
  return made;
}
