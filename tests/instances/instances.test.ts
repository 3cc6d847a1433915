/**
 * Two real server processes on one database, black-box over HTTP: the answers
 * each gives, and the rows both leave behind. The database is a parameter
 * (support/database.ts): one SQLite file by default, PostgreSQL with
 * INSTANCES_ENGINE=postgres. Expected answers are docs/api.md's and those of
 * the single-instance tests (tests/server/credits.test.ts,
 * creditApprovals.test.ts, staffAdmin.test.ts).
 *
 * The two instances live through the whole file (tests 10 and 11 kill, pause
 * and restart them, and leave both running); each test makes its own
 * customers and staff, so no test's rows count in another's checks. Only
 * test 7 makes admins: it needs them to be the only two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from './support/cli.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { openSharedDatabase, type Rows, type SharedDatabase } from './support/database.ts';
import { call, codeOf, signIn, statusCounts, type Answer, type ApiErrorBody, type Session } from './support/http.ts';
import { newWebhookSecret, startReceiver, type Receiver } from './support/receiver.ts';
import { hire, PASSWORD, type Person } from './support/staff.ts';
import { creditBody, customerWithRuns, ingest, ingestAll, uniquePrefix, type StudioCustomer, type StudioEvent } from './support/studio.ts';

/** The fields of a credit record (docs/api.md, The credit record) these tests read. */
interface CreditRecord {
  id: string;
  status: 'pending_approval' | 'applied' | 'rejected' | 'voided';
  amount: number;
  transaction_id: string | null;
  void_transaction_id: string | null;
  decided_by: string | null;
  approval_reasons: string[];
}

let database: SharedDatabase;
let rows: Rows;
let cluster: Cluster;
let receiver: Receiver;

beforeAll(async () => {
  database = await openSharedDatabase();
  rows = database.rows;
  const secret = newWebhookSecret();
  // Started before the instances: both push every credit event to it (test 12 counts them).
  receiver = await startReceiver(secret);
  cluster = await startCluster(2, { ...database.env, STUDIO_WEBHOOK_URL: receiver.url, STUDIO_WEBHOOK_SECRET: secret }, () => database.ready());
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await receiver?.stop();
  await database?.close();
}, 60_000);

// ---- helpers -------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A customer with `runs` succeeded runs of `charge` tokens each, sent through signed ingestion. */
async function studioCustomer(label: string, runs: number, charge: number): Promise<StudioCustomer> {
  const customer = customerWithRuns(uniquePrefix(label), runs, charge);
  await ingestAll(cluster.url(0), customer.events);
  return customer;
}

/** Staff rows, then a session for each person on the instance given (a session is good on every instance). */
async function staffWithSessions(people: { role: Person['role']; name: string; on: number }[]): Promise<{ person: Person; session: Session }[]> {
  const hired = await Promise.all(people.map(({ role, name }) => hire(rows, role, name)));
  return Promise.all(hired.map(async (person, i) => ({ person, session: await signIn(cluster.url(people[i].on), person.email, PASSWORD) })));
}

function postCredit(url: string, session: Session, body: unknown, key: string, timeoutMs?: number): Promise<Answer<CreditRecord>> {
  return call<CreditRecord>(url, '/api/credits', { session, body, headers: { 'Idempotency-Key': key }, timeoutMs });
}

/** approve, reject or void (docs/api.md, Actions). */
function decide(url: string, session: Session, creditId: string, action: 'approve' | 'reject' | 'void', reason = 'Checked the outputs'): Promise<Answer<CreditRecord>> {
  return call<CreditRecord>(url, `/api/credits/${creditId}/${action}`, { session, body: action === 'approve' ? {} : { reason } });
}

const key = (label: string): string => uniquePrefix(`key-${label}`);

/** A 5xx that is a 503 with Retry-After is "busy, try again" (docs/api.md, statuses); any other is a failure. */
const busy = (answer: Answer): boolean => answer.status === 503 && answer.headers.get('retry-after') !== null;

async function auditActions(entityId: string): Promise<string[]> {
  return (await rows.all<{ action: string }>('SELECT action FROM audit_events WHERE entity_id = ? ORDER BY seq', entityId)).map((r) => r.action);
}

async function ledgerOfCredit(creditId: string): Promise<{ id: string; kind: string; amount: number; reverses_id: string | null }[]> {
  return rows.all('SELECT id, kind, amount, reverses_id FROM ledger_entries WHERE credit_id = ? ORDER BY seq', creditId);
}

async function runCounters(runId: string): Promise<{ tokens_credited: number; tokens_reserved: number }> {
  const [counters] = await rows.all<{ tokens_credited: number; tokens_reserved: number }>(
    'SELECT tokens_credited, tokens_reserved FROM generations WHERE id = ?', runId);
  return counters;
}

/** The daily limit counts a UTC day: a test of it must not straddle midnight. */
async function clearOfMidnight(): Promise<void> {
  const now = Date.now();
  const untilMidnight = 86_400_000 - (now % 86_400_000);
  if (untilMidnight < 30_000) await sleep(untilMidnight + 1_000);
}

/** Requests pending approval: an agent's credits above the approval threshold (500) wait (202). */
async function pendingCredits(world: StudioCustomer, charge: number, agent: Session): Promise<CreditRecord[]> {
  const answers = await Promise.all(world.runIds.map((run, n) => postCredit(cluster.spread(n), agent, creditBody(world.customerId, [run], charge), key('pending'))));
  expect(statusCounts(answers)).toEqual({ 202: world.runIds.length });
  return answers.map((answer) => answer.body);
}

// ---- the table ----------------------------------------------------------------------------

// Time limits stated here, so that any vitest config may run this file (this folder's, or a project of the root one).
describe(`two instances on one ${process.env.INSTANCES_ENGINE === 'postgres' ? 'PostgreSQL database' : 'SQLite file'}`, { timeout: 60_000 }, () => {
  it('1. the same idempotency key sent 200 times over both instances: one grant, one ledger entry, every answer identical', async () => {
    const world = await studioCustomer('idem', 1, 120);
    const [{ person: agent, session }] = await staffWithSessions([{ role: 'agent', name: 'Ida Idem', on: 0 }]);
    const sameKey = key('same');
    const body = creditBody(world.customerId, world.runIds, 120);

    const answers = await Promise.all(Array.from({ length: 200 }, (_, n) => postCredit(cluster.spread(n), session, body, sameKey)));

    expect(statusCounts(answers)).toEqual({ 201: 200 });
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    // The first answer is the grant; every other one is its replay.
    expect(answers.filter((a) => a.headers.get('idempotency-replayed') !== 'true')).toHaveLength(1);
    const credit = answers[0].body;
    expect(credit).toMatchObject({ status: 'applied', amount: 120, transaction_id: expect.any(String) });

    expect(await rows.value('SELECT COUNT(*) FROM credits WHERE customer_id = ?', world.customerId)).toBe(1);
    expect(await rows.all('SELECT id FROM ledger_entries WHERE customer_id = ? AND kind = ?', world.customerId, 'manual_credit')).toEqual([{ id: credit.transaction_id }]);
    expect(await rows.value('SELECT COUNT(*) FROM idempotency_keys WHERE staff_id = ? AND key = ?', agent.id, sameKey)).toBe(1);
    expect(await auditActions(credit.id)).toEqual(['credit.requested', 'credit.applied']);
    expect(await rows.value('SELECT COUNT(*) FROM credit_events WHERE credit_id = ?', credit.id)).toBe(1);
    expect(await runCounters(world.runIds[0])).toEqual({ tokens_credited: 120, tokens_reserved: 0 });
  });

  it('2. the same key with another body on the other instance: 409 idempotency_key_reused, nothing written', async () => {
    const world = await studioCustomer('reuse', 2, 80);
    const [{ person: agent, session }] = await staffWithSessions([{ role: 'agent', name: 'Rea Reuse', on: 1 }]);
    const sharedKey = key('reuse');
    // Each body would apply on its own (another run, another ticket): only the key ties them.
    const bodies = [
      creditBody(world.customerId, [world.runIds[0]], 80, { ticket_ref: 'T-BODY-A' }),
      creditBody(world.customerId, [world.runIds[1]], 80, { ticket_ref: 'T-BODY-B' }),
    ];

    // Body A only ever goes to instance 0, body B to instance 1; 20 of each, all at once.
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => postCredit(cluster.url(n % 2), session, bodies[n % 2], sharedKey)));

    const bySide = [answers.filter((_, n) => n % 2 === 0), answers.filter((_, n) => n % 2 === 1)];
    const winner = bySide[0].some((a) => a.status === 201) ? 0 : 1;
    const [won, lost] = [bySide[winner], bySide[1 - winner]];
    expect(statusCounts(won)).toEqual({ 201: 20 });
    expect(new Set(won.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(statusCounts(lost)).toEqual({ 409: 20 });
    expect(new Set(lost.map(codeOf))).toEqual(new Set(['idempotency_key_reused']));

    const credits = await rows.all<{ id: string; ticket_ref: string }>('SELECT id, ticket_ref FROM credits WHERE requested_by = ?', agent.id);
    expect(credits).toEqual([{ id: won[0].body.id, ticket_ref: winner === 0 ? 'T-BODY-A' : 'T-BODY-B' }]);
    expect(await rows.value('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = ? AND kind = ?', world.customerId, 'manual_credit')).toBe(1);
    expect(await rows.value('SELECT COUNT(*) FROM idempotency_keys WHERE staff_id = ?', agent.id)).toBe(1);
    expect(await rows.value("SELECT COUNT(*) FROM audit_events WHERE actor_id = ? AND action LIKE 'credit.%'", agent.id)).toBe(2);
    expect(await runCounters(world.runIds[1 - winner])).toEqual({ tokens_credited: 0, tokens_reserved: 0 });
    expect(await runCounters(world.runIds[winner])).toEqual({ tokens_credited: 80, tokens_reserved: 0 });
  });

  it('3. 50 keys for one run over both instances: one applied, the other 49 are 409 naming it, never a 5xx', async () => {
    const world = await studioCustomer('keys', 1, 60);
    const [{ person: agent, session }] = await staffWithSessions([{ role: 'agent', name: 'Kai Keys', on: 0 }]);
    const body = creditBody(world.customerId, world.runIds, 60);

    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => postCredit(cluster.spread(n), session, body, key(`k${n}`))));

    expect(statusCounts(answers)).toEqual({ 201: 1, 409: 49 });
    const applied = answers.find((a) => a.status === 201)?.body as CreditRecord;
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body).toMatchObject({ code: 'already_credited' });
      expect((refused.body as unknown as ApiErrorBody).blocked_by).toEqual([
        expect.objectContaining({ generation_id: world.runIds[0], kind: 'manual_credit', id: applied.transaction_id }),
      ]);
    }
    expect(await runCounters(world.runIds[0])).toEqual({ tokens_credited: 60, tokens_reserved: 0 });
    expect(await rows.value('SELECT COUNT(*) FROM credit_items WHERE generation_id = ?', world.runIds[0])).toBe(1);
    expect(await rows.value('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = ? AND kind = ?', world.customerId, 'manual_credit')).toBe(1);
    // A 4xx is not stored (docs/api.md, Idempotent credits).
    expect(await rows.value('SELECT COUNT(*) FROM idempotency_keys WHERE staff_id = ?', agent.id)).toBe(1);
  });

  it('4. approving the same pending credit on both instances at once: one 200, one 409 not_pending, never a 5xx', async () => {
    const world = await studioCustomer('approve', 5, 600);
    const [agent, lead1, lead2] = await staffWithSessions([
      { role: 'agent', name: 'Abe Agent', on: 0 }, { role: 'lead', name: 'Lia Lead', on: 0 }, { role: 'lead', name: 'Leo Lead', on: 1 },
    ]);
    const pending = await pendingCredits(world, 600, agent.session);

    // Every credit gets one approval from each instance, every pair at the same time.
    const races = await Promise.all(pending.map((credit) => Promise.all([
      decide(cluster.url(0), lead1.session, credit.id, 'approve'),
      decide(cluster.url(1), lead2.session, credit.id, 'approve'),
    ])));

    for (const [n, pair] of races.entries()) {
      const credit = pending[n];
      expect(statusCounts(pair)).toEqual({ 200: 1, 409: 1 });
      const winner = pair[0].status === 200 ? lead1.person : lead2.person;
      expect(codeOf(pair.find((a) => a.status === 409) as Answer)).toBe('not_pending');
      expect(pair.find((a) => a.status === 200)?.body).toMatchObject({ status: 'applied', decided_by: winner.id });
      expect(await rows.all('SELECT status, decided_by FROM credits WHERE id = ?', credit.id)).toEqual([{ status: 'applied', decided_by: winner.id }]);
      expect((await ledgerOfCredit(credit.id)).map((e) => [e.kind, e.amount])).toEqual([['manual_credit', 600]]);
      expect(await auditActions(credit.id)).toEqual(['credit.requested', 'credit.approved']);
      expect(await runCounters(world.runIds[n])).toEqual({ tokens_credited: 600, tokens_reserved: 0 });
    }
  });

  it('5. approve, reject and void racing on one credit: exactly one outcome, in the credit row, the ledger and the audit trail', async () => {
    const world = await studioCustomer('race', 6, 600);
    const [agent, lead1, lead2] = await staffWithSessions([
      { role: 'agent', name: 'Ray Agent', on: 1 }, { role: 'lead', name: 'Lux Lead', on: 0 }, { role: 'lead', name: 'Lou Lead', on: 1 },
    ]);
    const pending = await pendingCredits(world, 600, agent.session);

    // The approval goes to one instance, the rejection and the void to the other (sides swap per credit).
    const races = await Promise.all(pending.map((credit, n) => Promise.all([
      decide(cluster.spread(n), lead1.session, credit.id, 'approve'),
      decide(cluster.spread(n + 1), lead2.session, credit.id, 'reject', 'Output matches the prompt'),
      decide(cluster.spread(n + 1), lead1.session, credit.id, 'void', 'Granted by mistake'),
    ])));

    for (const [n, [approve, reject, voided]] of races.entries()) {
      const credit = pending[n];
      for (const answer of [approve, reject, voided]) expect([200, 409]).toContain(answer.status);
      // Approval and rejection exclude each other; a void can only follow the approval.
      expect([approve.status, reject.status].filter((s) => s === 200)).toHaveLength(1);
      const [row] = await rows.all<{ status: string; transaction_id: string | null; void_transaction_id: string | null }>(
        'SELECT status, transaction_id, void_transaction_id FROM credits WHERE id = ?', credit.id);
      const ledger = await ledgerOfCredit(credit.id);
      const audit = await auditActions(credit.id);
      const events = (await rows.all<{ type: string }>('SELECT type FROM credit_events WHERE credit_id = ? ORDER BY seq', credit.id)).map((e) => e.type);
      const counters = await runCounters(world.runIds[n]);
      if (reject.status === 200) {
        expect([codeOf(approve), codeOf(voided)]).toEqual(['not_pending', 'not_applied']);
        expect(row).toEqual({ status: 'rejected', transaction_id: null, void_transaction_id: null });
        expect(ledger).toEqual([]);
        expect(audit).toEqual(['credit.requested', 'credit.rejected']);
        expect(events).toEqual([]);
        expect(counters).toEqual({ tokens_credited: 0, tokens_reserved: 0 });
      } else if (voided.status === 200) {
        expect(codeOf(reject)).toBe('not_pending');
        expect(row.status).toBe('voided');
        expect(ledger).toEqual([
          { id: row.transaction_id, kind: 'manual_credit', amount: 600, reverses_id: null },
          { id: row.void_transaction_id, kind: 'credit_void', amount: -600, reverses_id: row.transaction_id },
        ]);
        expect(audit).toEqual(['credit.requested', 'credit.approved', 'credit.voided']);
        expect(events).toEqual(['credit.applied', 'credit.voided']);
        expect(counters).toEqual({ tokens_credited: 0, tokens_reserved: 0 });
      } else {
        expect([codeOf(reject), codeOf(voided)]).toEqual(['not_pending', 'not_applied']);
        expect(row).toMatchObject({ status: 'applied', void_transaction_id: null });
        expect(ledger).toEqual([{ id: row.transaction_id, kind: 'manual_credit', amount: 600, reverses_id: null }]);
        expect(audit).toEqual(['credit.requested', 'credit.approved']);
        expect(events).toEqual(['credit.applied']);
        expect(counters).toEqual({ tokens_credited: 600, tokens_reserved: 0 });
      }
    }
  });

  it('6. an agent\'s daily limit under concurrent requests on both instances: never exceeded without approval', async () => {
    await clearOfMidnight();
    // Ten credits of 400 (under the approval threshold of 500) against the daily limit of 2,000 (docs/domain.md, Credit policy).
    const world = await studioCustomer('daily', 10, 400);
    const [{ person: agent, session }] = await staffWithSessions([{ role: 'agent', name: 'Dee Daily', on: 0 }]);
    // One person signed in on each instance: the limit is theirs, whichever instance counts it.
    const sessions = [session, await signIn(cluster.url(1), agent.email, PASSWORD)];

    const answers = await Promise.all(world.runIds.map((run, n) => postCredit(cluster.spread(n), sessions[n % 2], creditBody(world.customerId, [run], 400), key(`daily${n}`))));

    // Whatever the order, the first five reach exactly 2,000 and apply; each later one takes the day above it and waits.
    expect(statusCounts(answers)).toEqual({ 201: 5, 202: 5 });
    for (const waiting of answers.filter((a) => a.status === 202)) {
      expect(waiting.body.approval_reasons).toEqual([expect.stringMatching(/above the daily limit of 2,000 tokens/)]);
    }
    const totals = await rows.all<{ status: string; tokens: number; credits: number }>(
      'SELECT status, SUM(amount) AS tokens, COUNT(*) AS credits FROM credits WHERE requested_by = ? GROUP BY status ORDER BY status', agent.id);
    expect(totals).toEqual([{ status: 'applied', tokens: 2000, credits: 5 }, { status: 'pending_approval', tokens: 2000, credits: 5 }]);
    expect(await rows.value('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = ? AND kind = ?', world.customerId, 'manual_credit')).toBe(5);
    expect(await rows.value('SELECT SUM(open_tokens) FROM credit_day_totals WHERE staff_id = ?', agent.id)).toBe(4000);
  });

  it('7. demoting or disabling the last two admins at once, one request per instance: at least one admin remains', async () => {
    const [admin1, admin2] = await staffWithSessions([{ role: 'admin', name: 'Ann Admin', on: 0 }, { role: 'admin', name: 'Art Admin', on: 1 }]);
    const activeAdmins = (): Promise<{ id: string }[]> => rows.all("SELECT id FROM staff WHERE role = 'admin' AND disabled = 0 ORDER BY id");
    // The precondition that makes the race mean something: these two are the only active admins.
    expect((await activeAdmins()).map((a) => a.id)).toEqual([admin1.person.id, admin2.person.id].sort());

    const sessions = [admin1.session, admin2.session];
    const people = [admin1.person, admin2.person];
    const moves: [object, object][] = [
      [{ role: 'lead' }, { role: 'lead' }],
      [{ disabled: true }, { disabled: true }],
      [{ role: 'lead' }, { disabled: true }],
      [{ disabled: true }, { role: 'agent' }],
    ];
    const staffAudits = (): Promise<number> => rows.value("SELECT COUNT(*) FROM audit_events WHERE entity_type = 'staff' AND entity_id IN (?, ?)", people[0].id, people[1].id);
    for (const [round, [first, second]] of moves.entries()) {
      const auditsBefore = await staffAudits();
      // Admin 1 acts on admin 2 through instance 0 while admin 2 acts on admin 1 through instance 1.
      const answers = await Promise.all([
        call(cluster.url(0), `/api/staff/${people[1].id}`, { method: 'PUT', session: sessions[0], body: first }),
        call(cluster.url(1), `/api/staff/${people[0].id}`, { method: 'PUT', session: sessions[1], body: second }),
      ]);
      const remaining = await activeAdmins();
      expect(remaining, `round ${round}: ${JSON.stringify(statusCounts(answers))}`).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200), `round ${round}`).toHaveLength(1);
      const winner = answers[0].status === 200 ? 0 : 1;
      expect(remaining[0].id).toBe(people[winner].id);
      // The loser was refused: last_admin, or (when its own demotion or disabling landed first) no longer an admin, or signed out.
      const loser = answers[1 - winner];
      const expectedCode: Record<number, string> = { 401: 'not_authenticated', 403: 'forbidden', 409: 'last_admin' };
      expect(codeOf(loser), `round ${round}: ${loser.status}`).toBe(expectedCode[loser.status]);
      // Only the winner's change was written (and audited).
      expect(await staffAudits()).toBe(auditsBefore + 1);

      // The survivor restores the other, who signs in again (disabling ended their sessions).
      const restored = await call(cluster.url(winner), `/api/staff/${people[1 - winner].id}`, { method: 'PUT', session: sessions[winner], body: { role: 'admin', disabled: false } });
      expect(restored.status).toBe(200);
      sessions[1 - winner] = await signIn(cluster.url(1 - winner), people[1 - winner].email, PASSWORD);
    }
  });

  it('8. audit events written concurrently from both instances: one gap-free, hash-chained order; audit:verify passes', async () => {
    const world = await studioCustomer('audit', 30, 10);
    const [agent1, agent2] = await staffWithSessions([{ role: 'agent', name: 'Ava Audit', on: 0 }, { role: 'agent', name: 'Abi Audit', on: 1 }]);
    // One sign-in per person: concurrent sign-ins of one account count against its throttle while in flight.
    const leads = await Promise.all(Array.from({ length: 10 }, (_, n) => hire(rows, 'lead', `Lead Audit ${n}`)));
    const purchases = (n: number): StudioEvent[] => {
      const at = new Date().toISOString();
      return [{ id: `${world.customerId}-audit-buy-${n}`, type: 'tokens.purchased', occurred_at: at, data: { transaction_id: `${world.customerId}-audit-t-${n}`, customer_id: world.customerId, amount: 5, created_at: at } }];
    };

    // Credits (credit.requested, credit.applied), sign-ins (auth.login) and ingestion batches (ingest.batch), all at once on both.
    const answers = await Promise.all([
      ...world.runIds.map((run, n) => postCredit(cluster.spread(n), [agent1, agent2][n % 2].session, creditBody(world.customerId, [run], 10), key(`audit${n}`))),
      ...leads.map((lead, n) => call(cluster.spread(n), '/api/auth/login', { body: { email: lead.email, password: PASSWORD } })),
      ...Array.from({ length: 10 }, (_, n) => ingest(cluster.spread(n + 1), purchases(n))),
    ]);

    expect(statusCounts(answers)).toEqual({ 201: 30, 200: 20 });
    // Each request's audit event carries its request id.
    const requestIds = answers.map((a) => a.headers.get('x-request-id'));
    const audited = new Set((await rows.all<{ request_id: string }>('SELECT request_id FROM audit_events WHERE request_id IS NOT NULL')).map((r) => r.request_id));
    expect(requestIds.filter((id) => id === null || !audited.has(id))).toEqual([]);

    // The whole log, every instance's events together: seq 1..n without a gap, each event chained to the one before.
    const [span] = await rows.all<{ first: number; last: number; events: number }>('SELECT MIN(seq) AS first, MAX(seq) AS last, COUNT(*) AS events FROM audit_events');
    expect(span.first).toBe(1);
    expect(span.last).toBe(span.events);
    expect(await rows.value('SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash')).toBe(0);
    expect(await rows.value('SELECT COUNT(DISTINCT hash) FROM audit_events')).toBe(span.events);

    const verify = await runTool('auditVerify.ts', database.env);
    expect(verify, verify.stderr).toMatchObject({ code: 0 });
    expect(verify.stdout).toMatch(/^Audit chain OK: \d+ events checked/);
  });

  it('9. ingestion batches touching the same customers in opposite orders on both instances: each event counted once, no 5xx', async () => {
    const prefix = uniquePrefix('order');
    const customers = Array.from({ length: 8 }, (_, c) => `${prefix}-cus${c}`);
    const start = Date.now() - 3_600_000;
    const at = (offsetSeconds: number): string => new Date(start + offsetSeconds * 1000).toISOString();
    await ingestAll(cluster.url(0), customers.map((id, c) => ({ id: `${id}-e-new`, type: 'customer.upserted', occurred_at: at(0), data: { id, name: `First ${c}`, email: `${id}@example.com`, plan: 'pro' } })));

    const rounds = 6;
    // Round r, side s (0: customers ascending, to instance 0; 1: descending, to instance 1): an upsert and a purchase of
    // the side's own for every customer, and a purchase both sides send (the same event id): one is accepted, one a duplicate.
    const amountOf = (r: number, s: number, c: number): number => 1 + r * 100 + s * 10 + c;
    const batch = (r: number, s: number): StudioEvent[] => {
      const order = s === 0 ? customers : [...customers].reverse();
      return order.flatMap((id) => {
        const c = customers.indexOf(id);
        return [
          { id: `${id}-e-up-${r}-${s}`, type: 'customer.upserted', occurred_at: at(10 + r * 2 + s), data: { id, name: `Name ${r}.${s}`, email: `${id}@example.com`, plan: 'pro' } },
          { id: `${id}-e-buy-${r}-${s}`, type: 'tokens.purchased', occurred_at: at(10), data: { transaction_id: `${id}-t-${r}-${s}`, customer_id: id, amount: amountOf(r, s, c), created_at: at(10) } },
          { id: `${id}-e-both-${r}`, type: 'tokens.purchased', occurred_at: at(10), data: { transaction_id: `${id}-t-both-${r}`, customer_id: id, amount: 1000, created_at: at(10) } },
        ];
      });
    };
    const sends = Array.from({ length: rounds }, (_, r) => [0, 1].map((s) => ({ s, events: batch(r, s) }))).flat();

    const answers = await Promise.all(sends.map(({ s, events }) => ingest(cluster.url(s), events)));

    expect(statusCounts(answers)).toEqual({ 200: sends.length });
    for (const [n, answer] of answers.entries()) {
      expect(answer.body.rejected).toEqual([]);
      expect(answer.body.accepted + answer.body.duplicates).toBe(sends[n].events.length);
    }
    const sent = new Set(sends.flatMap(({ events }) => events.map((e) => e.id)));
    // Every distinct event accepted exactly once; the shared ones once accepted, once a duplicate.
    expect(answers.reduce((sum, a) => sum + a.body.accepted, 0)).toBe(sent.size);
    expect(answers.reduce((sum, a) => sum + a.body.duplicates, 0)).toBe(rounds * customers.length);
    expect(await rows.value('SELECT COUNT(*) FROM ingest_events WHERE id LIKE ?', `${prefix}-%`)).toBe(sent.size + customers.length);

    for (const [c, id] of customers.entries()) {
      let expected = 0;
      for (let r = 0; r < rounds; r++) expected += amountOf(r, 0, c) + amountOf(r, 1, c) + 1000;
      const [customer] = await rows.all<{ name: string; balance: number }>('SELECT name, balance FROM customers WHERE id = ?', id);
      // The latest occurred_at wins whatever the arrival order: round 5's descending side.
      expect(customer).toEqual({ name: `Name ${rounds - 1}.1`, balance: expected });
      expect(await rows.value('SELECT COUNT(*) FROM ledger_entries WHERE customer_id = ?', id)).toBe(rounds * 3);
      expect(await rows.value('SELECT SUM(amount) FROM ledger_entries WHERE customer_id = ?', id)).toBe(expected);
    }
  });

  it('10. kill -9 of one instance under a credit load, three times: every acknowledged credit is kept; ledger:verify and audit:verify pass', async () => {
    // Enough runs that the load never runs dry before the last kill, however fast the instances grant.
    const world = await studioCustomer('crash', 3000, 5);
    const [lead] = await staffWithSessions([{ role: 'lead', name: 'Kit Crash', on: 0 }]);
    const queue = [...world.runIds];
    const acknowledged = new Map<string, string>();
    const answered: Answer<CreditRecord>[] = [];
    /** Per round: requests the victim took down with it, and grants the survivor made after the kill. */
    const rounds: { cut: number; survivorAfterKill: number }[] = [];

    /** Credits runs off the queue through one instance until told to stop, or until that instance is gone. */
    const client = async (instance: number, round: number, killedAt: () => number, stop: () => boolean): Promise<void> => {
      const url = cluster.url(instance);
      while (!stop()) {
        const run = queue.shift();
        if (!run) return;
        const answer = await postCredit(url, lead.session, creditBody(world.customerId, [run], 5), `load-${run}`, 8_000);
        if (answer.status === 0) {
          // The instance died with the request: never acknowledged.
          rounds[round].cut++;
          return;
        }
        answered.push(answer);
        if (answer.status === 201) {
          acknowledged.set(answer.body.id, run);
          if (performance.now() > killedAt()) rounds[round].survivorAfterKill++;
        }
      }
    };

    for (let round = 0; round < 3; round++) {
      const victim = round % 2;
      let stopped = false;
      let killedAt = Infinity;
      rounds.push({ cut: 0, survivorAfterKill: 0 });
      const clients = [0, 1].flatMap((i) => Array.from({ length: 3 }, () => client(i, round, () => killedAt, () => stopped)));
      await sleep(600 + round * 200);
      killedAt = performance.now();
      await cluster.kill(victim);
      // The survivor carries on alone for a moment.
      await sleep(400);
      stopped = true;
      await Promise.all(clients);
      await cluster.restart(victim);
    }

    // Each kill landed mid-load (requests died with it) and the survivor kept granting.
    expect(rounds.map((r) => r.cut > 0 && r.survivorAfterKill > 0), JSON.stringify(rounds)).toEqual([true, true, true]);
    expect(queue.length, 'the load ran out of runs before the last kill').toBeGreaterThan(0);
    // Every answer that came was a grant or "busy, try again": never another 5xx.
    expect(answered.filter((a) => a.status !== 201 && !busy(a)).map((a) => [a.status, codeOf(a)])).toEqual([]);
    const stored = new Map((await rows.all<{ id: string; status: string; transaction_id: string | null }>(
      'SELECT c.id, c.status, e.id AS transaction_id FROM credits c LEFT JOIN ledger_entries e ON e.id = c.transaction_id WHERE c.customer_id = ?', world.customerId))
      .map((row) => [row.id, row]));
    const missing = [...acknowledged.keys()].filter((id) => stored.get(id)?.status !== 'applied' || !stored.get(id)?.transaction_id);
    expect(missing).toEqual([]);

    const [ledger, audit] = await Promise.all([runTool('ledgerVerify.ts', database.env), runTool('auditVerify.ts', database.env)]);
    expect(ledger, ledger.stderr).toMatchObject({ code: 0 });
    expect(audit, audit.stderr).toMatchObject({ code: 0 });
    // Both instances answer again.
    for (const i of [0, 1]) expect((await call(cluster.url(i), '/healthz')).status).toBe(200);
  }, 120_000);

  it('11. an instance paused (SIGSTOP) under load: the other keeps answering within seconds (at most 503 with Retry-After); both recover after SIGCONT', async () => {
    const world = await studioCustomer('pause', 400, 5);
    const [lead] = await staffWithSessions([{ role: 'lead', name: 'Pia Pause', on: 0 }]);
    const queue = [...world.runIds];
    /** One request and its outcome; `retry` sends it again unchanged (a credit with its key, a batch with its event ids: both safe). */
    interface Sent { instance: number; sentAt: number; answer: Answer; retry?: () => Promise<Answer> }
    const sent: Sent[] = [];
    // More than twice the longest wait for a lock (SQLite's busy_timeout is 5 s, PostgreSQL's lock_timeout 3 s):
    // the running instance cannot wait the pause out, and gives up waiting more than once, as in a long stall
    // (a VM migrated, a process stopped in a debugger).
    const PAUSE_MS = 12_000;
    // "A few seconds": the longest lock wait plus a margin for two busy cores. A later answer is a hang.
    const LIMIT_MS = 7_000;
    // The paused instance answers only after SIGCONT: its requests may take the pause too.
    const limitOf = (instance: number): number => (instance === 1 ? PAUSE_MS + LIMIT_MS : LIMIT_MS);

    const writer = async (instance: number, stop: () => boolean): Promise<void> => {
      while (!stop()) {
        const run = queue.shift();
        if (!run) return;
        const sentAt = performance.now();
        const send = (): Promise<Answer<CreditRecord>> => postCredit(cluster.url(instance), lead.session, creditBody(world.customerId, [run], 5), `pause-${run}`, limitOf(instance));
        sent.push({ instance, sentAt, answer: await send(), retry: send });
        await sleep(20);
      }
    };
    // Batches of 1000 purchases, one after another: each is one long write transaction, so a pause most likely
    // stops the instance while it holds the database's write lock (on SQLite) or row locks (on PostgreSQL).
    const ingester = async (instance: number, stop: () => boolean): Promise<void> => {
      for (let n = 0; !stop(); n++) {
        const at = new Date().toISOString();
        const events: StudioEvent[] = Array.from({ length: 1000 }, (_, e) => ({
          id: `${world.customerId}-load-${instance}-${n}-${e}`, type: 'tokens.purchased', occurred_at: at,
          data: { transaction_id: `${world.customerId}-load-t-${instance}-${n}-${e}`, customer_id: world.customerId, amount: 1, created_at: at },
        }));
        const sentAt = performance.now();
        const send = (): Promise<Answer> => ingest(cluster.url(instance), events, limitOf(instance));
        sent.push({ instance, sentAt, answer: await send(), retry: send });
      }
    };
    const reader = async (instance: number, stop: () => boolean): Promise<void> => {
      while (!stop()) {
        const sentAt = performance.now();
        const answer = await call(cluster.url(instance), `/api/customers/${world.customerId}`, { session: lead.session, timeoutMs: limitOf(instance) });
        sent.push({ instance, sentAt, answer });
        await sleep(50);
      }
    };

    let stopped = false;
    const stop = (): boolean => stopped;
    const load = [0, 1].flatMap((i) => [writer(i, stop), writer(i, stop), reader(i, stop)]).concat(ingester(1, stop));
    await sleep(500);
    // The worst moment: stopped while it holds a write lock, which the running instance then waits on. Paused
    // again a little later until the pause lands there (a few tries under this load). A lock still held after
    // 300 ms is the stopped instance's: the running one's transactions take milliseconds.
    let holdsLock = false;
    let pausedAt = 0;
    for (let attempt = 0; attempt < 30 && !holdsLock; attempt++) {
      if (attempt > 0) {
        cluster.resume(1);
        await sleep(15 + attempt * 5);
      }
      cluster.pause(1);
      pausedAt = performance.now();
      holdsLock = await database.writeLockStuck(300);
    }
    // Only when it was reached is the pause held; the load stops either way before anything is judged.
    if (holdsLock) await sleep(PAUSE_MS - (performance.now() - pausedAt));
    cluster.resume(1);
    const resumedAt = performance.now();
    await sleep(1_000);
    stopped = true;
    await Promise.all(load);
    expect(holdsLock, 'no pause found instance 1 holding a write lock: the case this test is about was not reached').toBe(true);

    const ok = (answer: Answer): boolean => answer.status === 200 || answer.status === 201 || busy(answer);
    const summary = (s: Sent) => ({ instance: s.instance, sent_ms_after_pause: Math.round(s.sentAt - pausedAt), status: s.answer.status, error: s.answer.error, ms: Math.round(s.answer.ms) });
    // Instance 0 answered everything within the limit, with a success or "busy, try again" (a timeout is status 0)…
    expect(sent.filter((s) => s.instance === 0 && !ok(s.answer)).map(summary)).toEqual([]);
    // …and kept answering while instance 1 was stopped: requests sent during the pause came back, reads among them.
    const duringPause = sent.filter((s) => s.instance === 0 && s.sentAt >= pausedAt && s.sentAt < resumedAt);
    expect(duringPause.filter((s) => s.answer.status === 200).length, JSON.stringify(sent.filter((s) => s.instance === 0).map(summary))).toBeGreaterThan(0);
    // Instance 1, once resumed, answered what had waited for it: no 5xx but 503 with Retry-After, no timeout. A
    // connection it closed on waking without an answer (its keep-alive timer ran out during the pause) is the
    // client's to retry: the same key and body must then get the credit.
    expect(sent.filter((s) => s.instance === 1 && !ok(s.answer) && s.answer.error !== 'no connection').map(summary)).toEqual([]);
    const dropped = sent.filter((s) => s.instance === 1 && s.answer.error === 'no connection' && s.retry);
    const retried = await Promise.all(dropped.map((s) => (s.retry as () => Promise<Answer>)()));
    expect(retried.filter((answer) => answer.status !== 200 && answer.status !== 201).map((a) => a.status)).toEqual([]);
    sent.push(...retried.map((answer) => ({ instance: 1, sentAt: performance.now(), answer })));

    // Both recover: a new credit and a read through each.
    for (const i of [0, 1]) {
      const run = queue.shift() as string;
      const credit = await postCredit(cluster.url(i), lead.session, creditBody(world.customerId, [run], 5), `pause-after-${run}`, LIMIT_MS);
      expect(credit.status, `instance ${i}: ${JSON.stringify(credit.body)}`).toBe(201);
      expect((await call(cluster.url(i), `/api/credits/${credit.body.id}`, { session: lead.session, timeoutMs: LIMIT_MS })).status).toBe(200);
    }
    // Every grant acknowledged, on either side of the pause, is in the database.
    const granted = sent.filter((s) => s.answer.status === 201).map((s) => (s.answer.body as CreditRecord).id);
    const applied = new Set((await rows.all<{ id: string }>("SELECT id FROM credits WHERE customer_id = ? AND status = 'applied'", world.customerId)).map((r) => r.id));
    expect(granted.filter((id) => !applied.has(id))).toEqual([]);
  }, 90_000);

  it('12. credit delivery with a dispatcher in each instance: each credit event delivered once, a void only after its credit', async () => {
    const world = await studioCustomer('deliver', 30, 20);
    const [lead1, lead2] = await staffWithSessions([{ role: 'lead', name: 'Del Lead', on: 0 }, { role: 'lead', name: 'Dot Lead', on: 1 }]);
    const leads = [lead1.session, lead2.session];

    const granted = await Promise.all(world.runIds.map((run, n) => postCredit(cluster.spread(n), leads[n % 2], creditBody(world.customerId, [run], 20), key(`deliver${n}`))));
    expect(statusCounts(granted)).toEqual({ 201: 30 });
    // A third of them voided at once: each void must wait for its credit's delivery (docs/integration.md, Order).
    const voids = await Promise.all(granted.slice(0, 10).map((g, n) => decide(cluster.spread(n + 1), leads[(n + 1) % 2], g.body.id, 'void', 'Granted on the wrong account')));
    expect(statusCounts(voids)).toEqual({ 200: 10 });
    const creditIds = granted.map((g) => g.body.id);

    const events = async () => rows.all<{ id: string; credit_id: string; type: string; state: string; attempts: number; delivered_via: string | null; body: string }>(
      `SELECT id, credit_id, type, state, attempts, delivered_via, body FROM credit_events WHERE credit_id IN (${creditIds.map(() => '?').join(', ')}) ORDER BY seq`, ...creditIds);
    const deadline = Date.now() + 30_000;
    while ((await events()).some((e) => e.state !== 'delivered') && Date.now() < deadline) await sleep(200);
    const stored = await events();
    expect(stored).toHaveLength(40);
    expect(stored.filter((e) => e.state !== 'delivered').map((e) => [e.id, e.state])).toEqual([]);

    // No crash, no timeout, no retry, no feed here: none of the duplicates the contract allows (docs/integration.md,
    // Idempotency) has a cause, so each event reaches the studio exactly once, with the bytes stored for it.
    const ours = receiver.attempts.filter((a) => creditIds.includes(a.creditId));
    expect(ours.every((a) => a.verified)).toBe(true);
    const perEvent = new Map<string, number>();
    for (const attempt of ours) perEvent.set(attempt.id, (perEvent.get(attempt.id) ?? 0) + 1);
    expect([...perEvent.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(perEvent.size).toBe(40);
    for (const event of stored) {
      expect(event).toMatchObject({ attempts: 1, delivered_via: 'webhook' });
      expect(ours.find((a) => a.id === event.id)?.body).toBe(event.body);
    }

    // Per credit, never two attempts in flight, and the void only once its credit was answered 2xx.
    for (const creditId of creditIds) {
      const attempts = ours.filter((a) => a.creditId === creditId).sort((a, b) => a.receivedAt - b.receivedAt);
      for (let n = 1; n < attempts.length; n++) {
        expect(attempts[n].receivedAt).toBeGreaterThanOrEqual(attempts[n - 1].answeredAt ?? Infinity);
      }
      expect(attempts.map((a) => a.type)).toEqual(attempts.length === 2 ? ['credit.applied', 'credit.voided'] : ['credit.applied']);
    }
  }, 60_000);
});
