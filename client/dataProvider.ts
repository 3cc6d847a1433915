import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider } from 'react-admin';
import { z } from 'zod';
import { chainStatusSchema, type ChainStatus } from '../shared/audit.ts';
import { IDEMPOTENCY_HEADER } from '../shared/auth.ts';
import {
  creditRecordSchema,
  eligibilitySchema,
  policySchema,
  type CreditRecord,
  type CreditRequest,
  type Eligibility,
  type Policy,
} from '../shared/credits.ts';
import { retriedSchema, studioDeliveryReportSchema, type Retried, type StudioDeliveryReport } from '../shared/delivery.ts';
import { lookupResultSchema, type LookupResult } from '../shared/lookup.ts';
import { takeEarlyLookup } from './lookup/earlyLookup.ts';
import {
  anomalyReportSchema,
  creditReportSchema,
  decisionsReportSchema,
  refundReportSchema,
  type AnomalyReport,
  type CreditReport,
  type DecisionsReport,
  type RefundReport,
} from '../shared/reports.ts';
import {
  staffRecordSchema,
  staffWithPasswordSchema,
  type PasswordChange,
  type StaffInvite,
  type StaffRecord,
  type StaffWithPassword,
} from '../shared/staff.ts';
import { fetchApi } from './fetchApi.ts';
import { listWithTotals } from './lists/listTotal.ts';

/** What `POST /api/credits` answered: 201 when the credit applied at once, 202 when it waits for approval. */
export interface CreditAnswer {
  status: 201 | 202;
  record: CreditRecord;
}

/** A report's period: ISO dates or instants (docs/api.md); the server defaults to the last 30 days. */
export interface ReportPeriod {
  from?: string;
  to?: string;
}


/** The API's domain actions beside react-admin's CRUD calls; use with `useDataProvider<AppDataProvider>()`. */
export type AppDataProvider = DataProvider & {
  /** Finds what a pasted chat id, chat URL, e-mail or record id names; rejects with a 404 HttpError when nothing matches. */
  lookup: (q: string) => Promise<LookupResult>;
  /** Whether each run can still be credited, how much, and what is in the way when it cannot. */
  eligibility: (generationIds: string[]) => Promise<Eligibility>;
  /**
   * Requests a credit. `idempotencyKey` must stay the same when the same request is sent again
   * (after a network error): the server then answers the first result instead of crediting twice.
   * Rejects with an HttpError whose body carries `errors` (400) or `blocked_by` and `runs` (409).
   */
  requestCredit: (body: CreditRequest, idempotencyKey: string) => Promise<CreditAnswer>;
  approveCredit: (id: string) => Promise<CreditRecord>;
  /** Rejects a pending credit (its requester may: a withdrawal). */
  rejectCredit: (id: string, reason: string) => Promise<CreditRecord>;
  /** Reverses an applied credit with a `credit_void` ledger entry. */
  voidCredit: (id: string, reason: string) => Promise<CreditRecord>;
  /**
   * Makes every failing or given-up delivery of the credit to the studio due now (a given-up one
   * gets the whole retry schedule again) and answers the credit as it then stands. Rejects with a
   * 409 HttpError (`nothing_to_retry`) when none is failing or given up.
   */
  retryCreditDelivery: (id: string) => Promise<CreditRecord>;
  /** Admins: makes every given-up delivery to the studio due now; answers how many there were. */
  retryGivenUpDeliveries: () => Promise<Retried>;
  /** Where delivery to the studio stands now: push and feed, events by state, the oldest undelivered, the last error. */
  studioDeliveryReport: () => Promise<StudioDeliveryReport>;
  /** Walks the audit hash chain on the server. */
  verifyAudit: () => Promise<ChainStatus>;
  getPolicy: () => Promise<Policy>;
  updatePolicy: (policy: Policy) => Promise<Policy>;
  /** Applied credits (net of voids) requested in a period, grouped by day, agent, reason or tool. */
  creditReport: (params: ReportPeriod & { group_by: CreditReport['group_by'] }) => Promise<CreditReport>;
  /** Failed runs started in a period, by tool: auto-refunded, pending, missing. */
  refundReport: (params: ReportPeriod) => Promise<RefundReport>;
  /** The credits of a period an anomaly rule flagged, each flag in words. */
  anomalies: (params: ReportPeriod) => Promise<AnomalyReport>;
  /** The signed-in person's credits someone else approved, rejected or voided since `since` (ISO), the latest first. */
  decisions: (since: string) => Promise<DecisionsReport>;
  /** Onboards a staff member. The answer's temporary password is shown once and must not be kept anywhere. */
  inviteStaff: (body: StaffInvite) => Promise<StaffWithPassword>;
  /** Signs a staff member out of every session at once. */
  endSessions: (id: string) => Promise<{ sessions_ended: number }>;
  /** Replaces a staff member's password with a temporary one (shown once) and ends their sessions. */
  resetPassword: (id: string) => Promise<StaffWithPassword>;
  /** The signed-in person's own password. Rejects with a 400 HttpError whose `errors` name the field at fault. */
  changePassword: (body: PasswordChange) => Promise<StaffRecord>;
};

const apiUrl = '/api';

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetchApi(url, { method: 'POST', body: JSON.stringify(body), headers: new Headers({ 'Content-Type': 'application/json', ...headers }) });

/** `?from=…&to=…&…`, leaving out what the caller left out (the server then applies its default). */
const reportQuery = (params: Record<string, string | undefined>): string =>
  new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();

const sessionsEndedSchema = z.object({ sessions_ended: z.number().int() });

const creditAction = async (id: string, action: 'approve' | 'reject' | 'void' | 'delivery/retry', body: unknown = {}): Promise<CreditRecord> => {
  const { json } = await postJson(`${apiUrl}/credits/${encodeURIComponent(id)}/${action}`, body);
  return creditRecordSchema.parse(json);
};

/** `GET /api/lookup?q=`, without the early answer of a helpdesk link (lookup/earlyLookup.ts). */
export const askLookup = async (q: string): Promise<LookupResult> => {
  const { json } = await fetchApi(`${apiUrl}/lookup?${new URLSearchParams({ q })}`);
  return lookupResultSchema.parse(json);
};

export const dataProvider: AppDataProvider = {
  ...simpleRestProvider(apiUrl, fetchApi),
  // Lists also learn whether their total stopped counting (X-Total-Capped), for the pagination.
  getList: listWithTotals(apiUrl, fetchApi),

  async lookup(q) {
    return (await takeEarlyLookup(q)) ?? askLookup(q);
  },

  async eligibility(generationIds) {
    const { json } = await fetchApi(`${apiUrl}/credits/eligibility?${new URLSearchParams({ generation_ids: generationIds.join(',') })}`);
    return eligibilitySchema.parse(json);
  },

  async requestCredit(body, idempotencyKey) {
    const { status, json } = await postJson(`${apiUrl}/credits`, body, { [IDEMPOTENCY_HEADER]: idempotencyKey });
    return { status: status === 201 ? 201 : 202, record: creditRecordSchema.parse(json) };
  },

  approveCredit: (id) => creditAction(id, 'approve'),
  rejectCredit: (id, reason) => creditAction(id, 'reject', { reason }),
  voidCredit: (id, reason) => creditAction(id, 'void', { reason }),
  retryCreditDelivery: (id) => creditAction(id, 'delivery/retry'),

  async retryGivenUpDeliveries() {
    const { json } = await postJson(`${apiUrl}/studio/delivery/retry-given-up`, {});
    return retriedSchema.parse(json);
  },

  async studioDeliveryReport() {
    const { json } = await fetchApi(`${apiUrl}/reports/studio-delivery`);
    return studioDeliveryReportSchema.parse(json);
  },

  async verifyAudit() {
    const { json } = await fetchApi(`${apiUrl}/audit/verify`);
    return chainStatusSchema.parse(json);
  },

  async getPolicy() {
    const { json } = await fetchApi(`${apiUrl}/policy`);
    return policySchema.parse(json);
  },

  async updatePolicy(policy) {
    const { json } = await fetchApi(`${apiUrl}/policy`, {
      method: 'PUT',
      body: JSON.stringify(policy),
      headers: new Headers({ 'Content-Type': 'application/json' }),
    });
    return policySchema.parse(json);
  },

  async creditReport({ from, to, group_by }) {
    const { json } = await fetchApi(`${apiUrl}/reports/credits?${reportQuery({ from, to, group_by })}`);
    return creditReportSchema.parse(json);
  },

  async refundReport({ from, to }) {
    const { json } = await fetchApi(`${apiUrl}/reports/refunds?${reportQuery({ from, to })}`);
    return refundReportSchema.parse(json);
  },

  async anomalies({ from, to }) {
    const { json } = await fetchApi(`${apiUrl}/reports/anomalies?${reportQuery({ from, to })}`);
    return anomalyReportSchema.parse(json);
  },

  async decisions(since) {
    const { json } = await fetchApi(`${apiUrl}/reports/decisions?${new URLSearchParams({ since })}`);
    return decisionsReportSchema.parse(json);
  },

  async inviteStaff(body) {
    const { json } = await postJson(`${apiUrl}/staff`, body);
    return staffWithPasswordSchema.parse(json);
  },

  async endSessions(id) {
    const { json } = await postJson(`${apiUrl}/staff/${encodeURIComponent(id)}/end-sessions`, {});
    return sessionsEndedSchema.parse(json);
  },

  async resetPassword(id) {
    const { json } = await postJson(`${apiUrl}/staff/${encodeURIComponent(id)}/reset-password`, {});
    return staffWithPasswordSchema.parse(json);
  },

  async changePassword(body) {
    const { json } = await postJson(`${apiUrl}/auth/password`, body);
    return staffRecordSchema.parse(json);
  },
};
