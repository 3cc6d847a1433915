import { HttpError } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataProvider } from '../../client/dataProvider.ts';
import { forgetSession, rememberSession } from '../../client/session.ts';
import { buildCredit, buildDeliveryEvent, buildDeliveryReport, buildRunEligibility, defaultPolicy, deliveredEvent, eligibilityOf } from './creditsBuilders.ts';
import { jsonResponse, leadSession, sentRequest, stubFetch } from './fetchStub.ts';

beforeEach(() => rememberSession(leadSession));
afterEach(() => {
  forgetSession();
  vi.unstubAllGlobals();
});

const body = {
  customer_id: 'cus_7',
  items: [{ generation_id: 'gen_1', tokens: 300 }],
  amount: 300,
  reason: 'visual_artifacts' as const,
  ticket_ref: 'ZD-1',
  expected: 'A mug',
  received: 'Stripes',
};

describe('the credit actions of the data provider', () => {
  it('asks the eligibility of several runs in one request', async () => {
    const answer = eligibilityOf([buildRunEligibility()]);
    const fetchMock = stubFetch(() => jsonResponse(answer));

    await expect(dataProvider.eligibility(['gen_1', 'gen_2'])).resolves.toEqual(answer);

    const { url, method } = sentRequest(fetchMock);
    expect(method).toBe('GET');
    expect(url.pathname).toBe('/api/credits/eligibility');
    expect(url.searchParams.get('generation_ids')).toBe('gen_1,gen_2');
  });

  it('requests a credit with its body, the idempotency key and the CSRF token, and tells applied from pending', async () => {
    const record = buildCredit();
    const fetchMock = stubFetch(() => jsonResponse(record, 201));

    await expect(dataProvider.requestCredit(body, 'key-1')).resolves.toEqual({ status: 201, record });

    const sent = sentRequest(fetchMock);
    expect(sent.method).toBe('POST');
    expect(sent.url.pathname).toBe('/api/credits');
    expect(sent.headers.get('Idempotency-Key')).toBe('key-1');
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
    expect(sent.json).toEqual(body);

    stubFetch(() => jsonResponse(buildCredit({ status: 'pending_approval' }), 202));
    await expect(dataProvider.requestCredit(body, 'key-2')).resolves.toMatchObject({ status: 202 });
  });

  it('rejects with the API error body, so the form can read blocked runs and field errors', async () => {
    const conflict = { code: 'already_refunded', message: 'Run gen_1 cannot be credited.', blocked_by: [], runs: [] };
    stubFetch(() => jsonResponse(conflict, 409));

    const error = await dataProvider.requestCredit(body, 'key-1').catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(409);
    expect((error as HttpError).body).toEqual(conflict);
  });

  it('approves, rejects and voids with the reason in the body', async () => {
    const fetchMock = stubFetch(() => jsonResponse(buildCredit()));

    await dataProvider.approveCredit('crd 1');
    await dataProvider.rejectCredit('crd_1', 'Not a defect');
    await dataProvider.voidCredit('crd_1', 'Wrong customer');

    expect(sentRequest(fetchMock, 0)).toMatchObject({ method: 'POST', json: {} });
    expect(sentRequest(fetchMock, 0).url.pathname).toBe('/api/credits/crd%201/approve');
    expect(sentRequest(fetchMock, 1).url.pathname).toBe('/api/credits/crd_1/reject');
    expect(sentRequest(fetchMock, 1).json).toEqual({ reason: 'Not a defect' });
    expect(sentRequest(fetchMock, 2).url.pathname).toBe('/api/credits/crd_1/void');
    expect(sentRequest(fetchMock, 2).json).toEqual({ reason: 'Wrong customer' });
  });

  it('verifies the audit chain, reads and saves the policy', async () => {
    const fetchMock = stubFetch(url =>
      url.endsWith('/verify') ? jsonResponse({ ok: false, checked: 17, first_bad_id: 17, problem: 'hash mismatch' }) : jsonResponse(defaultPolicy),
    );

    await expect(dataProvider.verifyAudit()).resolves.toEqual({ ok: false, checked: 17, first_bad_id: 17, problem: 'hash mismatch' });
    await expect(dataProvider.getPolicy()).resolves.toEqual(defaultPolicy);
    await dataProvider.updatePolicy({ ...defaultPolicy, approval_threshold: 800 });

    const save = sentRequest(fetchMock, 2);
    expect(save.method).toBe('PUT');
    expect(save.url.pathname).toBe('/api/policy');
    expect(save.json).toEqual({ ...defaultPolicy, approval_threshold: 800 });
    expect(save.headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
  });
});

describe('the studio delivery actions of the data provider', () => {
  it('retries a credit’s delivery with the CSRF token and reads the credit it answers', async () => {
    const record = buildCredit({ delivery: [buildDeliveryEvent({ state: 'pending', attempts: 4 })] });
    const fetchMock = stubFetch(() => jsonResponse(record));

    await expect(dataProvider.retryCreditDelivery('crd 1')).resolves.toEqual(record);

    const sent = sentRequest(fetchMock);
    expect(sent.method).toBe('POST');
    expect(sent.url.pathname).toBe('/api/credits/crd%201/delivery/retry');
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
  });

  it('rejects with the 409 when nothing is failing or given up', async () => {
    stubFetch(() => jsonResponse({ code: 'nothing_to_retry', message: 'Nothing of credit crd_1 is failing or given up.' }, 409));

    const error = await dataProvider.retryCreditDelivery('crd_1').catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).body).toMatchObject({ code: 'nothing_to_retry' });
  });

  it('retries every given-up delivery and reads the delivery report', async () => {
    const report = buildDeliveryReport({ counts: { pending: 1, failing: 0, given_up: 2, delivered: 7 } });
    const fetchMock = stubFetch(url => (url.endsWith('/retry-given-up') ? jsonResponse({ retried: 2 }) : jsonResponse(report)));

    await expect(dataProvider.retryGivenUpDeliveries()).resolves.toEqual({ retried: 2 });
    await expect(dataProvider.studioDeliveryReport()).resolves.toEqual(report);

    expect(sentRequest(fetchMock, 0)).toMatchObject({ method: 'POST' });
    expect(sentRequest(fetchMock, 0).url.pathname).toBe('/api/studio/delivery/retry-given-up');
    expect(sentRequest(fetchMock, 0).headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
    expect(sentRequest(fetchMock, 1)).toMatchObject({ method: 'GET' });
    expect(sentRequest(fetchMock, 1).url.pathname).toBe('/api/reports/studio-delivery');
  });

  it('refuses a credit whose delivery the server described in another shape', async () => {
    stubFetch(() => jsonResponse(buildCredit({ delivery: [{ ...deliveredEvent(), state: 'arrived' as never }] })));

    await expect(dataProvider.retryCreditDelivery('crd_1')).rejects.toThrow(/state/);
  });
});
