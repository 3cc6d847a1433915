import type { ChatRow } from '../../db/repositories/chatRepository.ts';
import { DAY, HOUR, isoAt, MINUTE, SECOND } from './isoTime.ts';
import { planSpecs, type CustomerProfile } from './population.ts';
import { chatTheme, type ChatTheme } from './prompts.ts';
import { createRandom, type Random } from './random.ts';
import { planRun, randomRequest, thinkTime, type RunPlan, type RunRequest } from './runs.ts';
import { ledgerEvent, runEvents, type SeedEvent } from './seedEvents.ts';
import { seededId, seededUuid } from './seedIds.ts';

/** A scripted ending of a customer's history: the demo stories. */
export interface StoryScript {
  startsAt: number;
  chats: ChatRow[];
  runs: RunPlan[];
}

interface ChatState {
  id: string;
  theme: ChatTheme;
  lastUsedAt: number;
}

// A session is 1 + a geometric number of runs, 1 / (1 - 0.62) ≈ 2.6 on average.
const MORE_RUNS = 0.62;
const RUNS_PER_SESSION = 1 / (1 - MORE_RUNS);
const HALF_WAKING_DAY = 7 * HOUR;
const purchasePacks = [500, 1000, 2500, 5000, 10000];
/** A new chat is opened at most this long before its first run. */
const CHAT_LEAD_MAX = 40 * SECOND;

/**
 * The history of one customer, produced lazily one session at a time, in
 * time order. It keeps the running balance itself, so each ledger row carries
 * the balance_after the database trigger expects, and it buys a token pack
 * just before a run the balance cannot cover, as a real customer would.
 */
export class CustomerTimeline {
  private readonly random: Random;
  private readonly queue: SeedEvent[] = [];
  private head = 0;
  private readonly pending: SeedEvent[] = [];
  private readonly chats: ChatState[] = [];
  private balance = 0;
  private lastAt: number;
  private cursor: number;
  private nextGrantAt: number;
  private phase: 'random' | 'story' | 'closing' | 'done' = 'random';
  private plannedStart: number;
  /** No row of the next expansion comes before this; the merge may already have written everything earlier. */
  private wakeAt = 0;
  /** Charged failures this timeline deliberately left without an auto-refund. */
  refundsLeftMissing = 0;

  constructor(
    private readonly profile: CustomerProfile,
    seed: number,
    private readonly end: number,
    private readonly story?: StoryScript,
  ) {
    this.random = createRandom(seed, profile.stream);
    this.lastAt = profile.createdAt;
    this.cursor = profile.createdAt;
    this.nextGrantAt = profile.createdAt + this.random.int(1, 20) * SECOND;
    // New customers try the studio within minutes of signing up.
    this.plannedStart = profile.createdAt + this.random.int(2 * MINUTE, 30 * MINUTE);
    this.planWake();
  }

  /**
   * When this customer's next row happens, or at the latest when it must be
   * asked to plan its next session (see `expand`); Infinity when it is over.
   */
  peekAt(): number {
    return this.head < this.queue.length ? this.queue[this.head].at : this.wakeAt;
  }

  /** Whether a row is ready to take; if not, the merge calls `expand` first. */
  ready(): boolean {
    return this.head < this.queue.length;
  }

  take(): SeedEvent {
    const event = this.queue[this.head++];
    // Let go of written rows at once, by emptying the array rather than
    // replacing it: a long-lived array that still pointed at them would keep
    // them alive through every young-generation collection until the next
    // full one (most rows would then be copied twice before dying).
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return event;
  }

  /**
   * Generates the next session only when the merge reaches its time, so that
   * memory holds the sessions going on now, not one future session for each
   * of a hundred thousand customers.
   */
  expand(): void {
    const sessionDue = this.phase === 'random' ? this.plannedStart - CHAT_LEAD_MAX : this.phase === 'story' && this.story ? this.story.startsAt : this.end;
    if (this.nextGrantAt < sessionDue) {
      // Woken for plan grants only: the session stays unplanned until its own time.
      this.grantsBefore(sessionDue);
      this.flushPending();
      this.planWake();
      return;
    }
    if (this.phase === 'random') this.randomSession(this.plannedStart);
    else if (this.phase === 'story' && this.story) this.scriptedSession(this.story);
    const sessionEnd = this.pending.reduce((latest, event) => Math.max(latest, event.at), 0);
    this.grantsBefore(Math.min(sessionEnd + 1, this.end));
    this.flushPending();
    if (this.phase === 'random') this.plannedStart = this.nextSessionStart();
    else this.phase = this.phase === 'story' ? 'closing' : 'done';
    this.planWake();
  }

  private planWake(): void {
    if (this.phase === 'random' && (this.plannedStart >= this.profile.activeUntil || this.plannedStart >= this.end)) {
      this.phase = this.story ? 'story' : 'closing';
    }
    const grant = this.nextGrantAt < this.end ? this.nextGrantAt : Infinity;
    if (this.phase === 'random') this.wakeAt = Math.min(this.plannedStart - CHAT_LEAD_MAX, grant);
    else if (this.phase === 'story' && this.story) this.wakeAt = Math.min(this.story.startsAt, grant);
    else if (this.phase === 'closing') this.wakeAt = grant;
    else this.wakeAt = Infinity;
    if (this.wakeAt === Infinity) this.phase = 'done';
  }

  private nextSessionStart(): number {
    const { random } = this;
    const sessionsPerDay = this.profile.runsPerDay / RUNS_PER_SESSION;
    const gap = (-Math.log(1 - random.next()) * DAY) / sessionsPerDay;
    let start = this.cursor + Math.max(20 * MINUTE, gap);
    // Outside the customer's waking hours, the session moves to the next working day.
    const hour = (start % DAY) / HOUR;
    const fromCentre = ((hour - this.profile.dayCentreUtc + 36) % 24) - 12;
    if (Math.abs(fromCentre) * HOUR > HALF_WAKING_DAY) {
      const target = (this.profile.dayCentreUtc - 7 + random.next() * 14 + 24) % 24;
      start += ((target - hour + 24) % 24) * HOUR;
    }
    return Math.floor(start);
  }

  private randomSession(start: number): void {
    const { random } = this;
    const chat = this.chooseChat(start);
    const tool = this.profile.pickTool(random);
    let runs = 1;
    while (runs < 12 && random.chance(MORE_RUNS)) runs++;
    let at = start;
    let previous: RunRequest | null = null;
    for (let i = 0; i < runs && at < this.end; i++) {
      // One in a hundred runs is the previous one submitted again by a double click.
      const request: RunRequest = previous !== null && random.chance(0.01) ? previous : randomRequest(tool, chat.theme, random);
      const run = planRun(request, chat.id, at, this.end, random);
      this.emitRun(run);
      previous = request;
      const finishAt = 'finishAt' in run.outcome ? run.outcome.finishAt : this.end;
      if (run.outcome.status === 'succeeded' && tool === 'image' && random.chance(0.08)) {
        const upscaleAt = finishAt + random.int(10, 90) * SECOND;
        if (upscaleAt < this.end) this.emitRun(planRun(randomRequest('upscale', chat.theme, random), chat.id, upscaleAt, this.end, random));
      }
      // Variations go out in parallel seconds apart; otherwise the customer waits for the result.
      at = random.chance(0.25) ? at + random.int(1, 5) * SECOND : finishAt + thinkTime(random);
    }
  }

  private chooseChat(start: number): ChatState {
    const { random } = this;
    const last = this.chats[this.chats.length - 1];
    let chat: ChatState | undefined;
    if (last && start - last.lastUsedAt < 3 * DAY && random.chance(0.5)) chat = last;
    else if (this.chats.length > 1 && random.chance(0.1)) chat = random.pick(this.chats);
    if (!chat) {
      const createdAt = start - random.int(5 * SECOND, CHAT_LEAD_MAX);
      chat = { id: seededUuid(random), theme: chatTheme(random), lastUsedAt: start };
      this.pending.push({ type: 'chat', at: createdAt, row: { id: chat.id, customer_id: this.profile.id, title: chat.theme.title, created_at: isoAt(createdAt) } });
      this.chats.push(chat);
      // Only recent chats get picked up again; older ones need not stay in memory.
      if (this.chats.length > 8) this.chats.shift();
    }
    chat.lastUsedAt = start;
    return chat;
  }

  private scriptedSession(story: StoryScript): void {
    if (story.startsAt <= this.cursor) throw new Error(`story of ${this.profile.id} starts before its generated history ends`);
    for (const chat of story.chats) this.pending.push({ type: 'chat', at: Date.parse(chat.created_at), row: chat });
    for (const run of story.runs) this.emitRun(run);
  }

  private emitRun(run: RunPlan): void {
    if (runEvents(run, this.profile.id, this.end, this.random, this.pending)) this.refundsLeftMissing++;
  }

  private grantsBefore(until: number): void {
    const plan = planSpecs[this.profile.plan];
    while (this.nextGrantAt < until) {
      this.pending.push(ledgerEvent(this.nextGrantAt, this.profile.id, seededId('txn', this.nextGrantAt, this.random), 'plan_grant', plan.grant));
      this.nextGrantAt += plan.grantEveryMs;
    }
  }

  /**
   * Puts the session in time order (stable, so a run's rows keep their order
   * when they share a millisecond), tops up the balance where a run needs it,
   * writes each balance_after, and hands the rows to the queue.
   */
  private flushPending(): void {
    const events = this.pending.sort((a, b) => a.at - b.at);
    for (const event of events) {
      if (event.type === 'generation' && event.tokens > this.balance) this.purchase(event.at, event.tokens);
      if (event.type === 'ledger') {
        if (this.balance + event.row.amount < 0) this.purchase(event.at, -event.row.amount);
        this.balance += event.row.amount;
        event.row.balance_after = this.balance;
      }
      this.queue.push(event);
      this.lastAt = event.at;
    }
    this.pending.length = 0;
    this.cursor = Math.max(this.cursor, this.lastAt);
  }

  /** A token pack bought shortly before `before`, big enough for `needed` tokens. */
  private purchase(before: number, needed: number): void {
    const { random } = this;
    const at = Math.max(this.lastAt, this.wakeAt, before - random.int(20, 150) * SECOND);
    let pack = purchasePacks.findIndex((size) => size >= needed - this.balance);
    if (pack < 0) pack = purchasePacks.length - 1;
    if (pack < purchasePacks.length - 1 && random.chance(0.3)) pack++;
    const amount = purchasePacks[pack];
    const event = ledgerEvent(at, this.profile.id, seededId('txn', at, random), 'purchase', amount);
    this.balance += amount;
    event.row.balance_after = this.balance;
    this.queue.push(event);
    this.lastAt = at;
  }
}
