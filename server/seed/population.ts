import type { Tool } from './catalog.ts';
import { DAY } from './isoTime.ts';
import { createRandom, logNormal, weightedPicker, type Random } from './random.ts';
import { seededId } from './seedIds.ts';
import { emailDomains, firstNames, lastNames, timeZones } from './words.ts';

/** The span of a dataset: everything happens in these days before the anchor. */
export const SPAN_DAYS = 60;

export const plans = ['free', 'creator', 'pro', 'studio'] as const;
export type Plan = (typeof plans)[number];

interface PlanSpec {
  share: number;
  /** Tokens the plan grants at sign-up and then every period. */
  grant: number;
  grantEveryMs: number;
  /** Median runs per active day; individual customers spread widely around it. */
  runsPerDay: number;
  tools: ReadonlyArray<readonly [Tool, number]>;
}

export const planSpecs: Record<Plan, PlanSpec> = {
  free: { share: 45, grant: 60, grantEveryMs: 7 * DAY, runsPerDay: 0.7, tools: [['image', 90], ['video', 3], ['animation', 7]] },
  creator: { share: 30, grant: 1500, grantEveryMs: 30 * DAY, runsPerDay: 1.9, tools: [['image', 75], ['video', 12], ['animation', 13]] },
  pro: { share: 18, grant: 4000, grantEveryMs: 30 * DAY, runsPerDay: 3.4, tools: [['image', 62], ['video', 23], ['animation', 15]] },
  studio: { share: 7, grant: 15000, grantEveryMs: 30 * DAY, runsPerDay: 7.5, tools: [['image', 50], ['video', 32], ['animation', 18]] },
};

export interface CustomerProfile {
  /** Fixes this customer's random stream, whatever order customers are processed in. */
  stream: number;
  id: string;
  name: string;
  email: string;
  plan: Plan;
  timeZone: string | null;
  createdAt: number;
  /** UTC hour around which this customer's working day is centred. */
  dayCentreUtc: number;
  runsPerDay: number;
  pickTool: (random: Random) => Tool;
  /** No new session starts at or after this moment (churn, or a story that follows). */
  activeUntil: number;
}

const pickPlan = weightedPicker(plans.map((plan) => [plan, planSpecs[plan].share] as const));
const toolPickers = Object.fromEntries(plans.map((plan) => [plan, weightedPicker(planSpecs[plan].tools)])) as Record<Plan, (random: Random) => Tool>;

/** The shared parts of a profile, for generated and story customers alike. */
export function profileDefaults(plan: Plan, timeZone: string | null, random: Random): Pick<CustomerProfile, 'dayCentreUtc' | 'runsPerDay' | 'pickTool'> {
  const offset = timeZones.find(([zone]) => zone === timeZone)?.[1];
  // People work around 14:00 local time; without a known zone, anywhere on the globe.
  const dayCentreUtc = offset === undefined ? random.int(0, 23) : (14 - offset + 24) % 24;
  return { dayCentreUtc, runsPerDay: logNormal(random, planSpecs[plan].runsPerDay, 0.9), pickTool: toolPickers[plan] };
}

/**
 * `count` generated customers, in sign-up order. Names and e-mails come from
 * one stream so e-mails stay unique (a second "Emma Smith" gets a number).
 */
export function generatedCustomers(count: number, seed: number, anchor: number): CustomerProfile[] {
  const random = createRandom(seed, 0);
  const start = anchor - SPAN_DAYS * DAY;
  const emailsSeen = new Map<string, number>();
  const customers: CustomerProfile[] = [];
  for (let i = 0; i < count; i++) {
    const first = random.pick(firstNames);
    const last = random.pick(lastNames);
    const local = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    const domain = random.pick(emailDomains);
    const seen = emailsSeen.get(`${local}@${domain}`) ?? 0;
    emailsSeen.set(`${local}@${domain}`, seen + 1);
    const plan = pickPlan(random);
    const timeZone = random.chance(0.2) ? null : random.pick(timeZones)[0];
    // A third were already customers when the span opens; the rest sign up through it.
    const createdAt = Math.floor(random.chance(0.35) ? start + random.next() * 3 * DAY : start + random.next() * (SPAN_DAYS - 1) * DAY);
    const churned = random.chance(0.12);
    customers.push({
      stream: i + 1,
      id: seededId('cus', createdAt, random),
      name: `${first} ${last}`,
      email: `${local}${seen === 0 ? '' : seen + 1}@${domain}`,
      plan,
      timeZone,
      createdAt,
      ...profileDefaults(plan, timeZone, random),
      activeUntil: churned ? createdAt + random.next() * (anchor - createdAt) : anchor,
    });
  }
  return customers;
}
