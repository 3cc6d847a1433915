import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { sessionInfoSchema } from '../../shared/auth.ts';
import { buildStaff, createTestApp, signIn, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

const ticketUrl = 'https://support.example.com/agent/tickets/{ticket}?tab=activity';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('HELPDESK_TICKET_URL', () => {
  it('is off by default and kept as given when it is an https address with {ticket}', () => {
    expect(loadConfig({}).helpdeskTicketUrl).toBeNull();
    expect(loadConfig({ HELPDESK_TICKET_URL: '' }).helpdeskTicketUrl).toBeNull();
    expect(loadConfig({ HELPDESK_TICKET_URL: ticketUrl }).helpdeskTicketUrl).toBe(ticketUrl);
  });

  it.each([
    ['https://support.example.com/tickets/', /must contain \{ticket\}/],
    ['http://support.example.com/tickets/{ticket}', /must be an https: URL/],
    ['javascript:alert(1)//{ticket}', /must be an https: URL/],
    ['support.example.com/tickets/{ticket}', /must be a URL/],
    ['https://agent:secret@support.example.com/tickets/{ticket}', /must not carry a user or password/],
  ])('refuses %s at start, naming the variable', (value, message) => {
    expect(problemsOf({ HELPDESK_TICKET_URL: value })).toEqual([expect.stringMatching(/^HELPDESK_TICKET_URL: /)]);
    expect(problemsOf({ HELPDESK_TICKET_URL: value })[0]).toMatch(message);
  });
});

describe('the session tells the console where tickets live', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('in the sign-in answer and in GET /api/auth/me, with the sign-in recorded', async () => {
    const app = await createTestApp({ HELPDESK_TICKET_URL: ticketUrl });
    t = app;
    const agent = await buildStaff(app.ctx, { role: 'agent' });

    const login = await request(app.app).post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    expect(sessionInfoSchema.strict().parse(login.body).helpdesk_ticket_url).toBe(ticketUrl);
    const rows = await app.row("SELECT COUNT(*) AS sessions, (SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login') AS logins FROM sessions");
    expect(rows).toEqual({ sessions: 1, logins: 1 });

    const { agent: browser } = await signIn(app.app, agent.email);
    const me = await browser.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.helpdesk_ticket_url).toBe(ticketUrl);
  });

  it('as null when the helpdesk is not configured', async () => {
    const app = await createTestApp();
    t = app;
    const agent = await buildStaff(app.ctx, { role: 'agent' });
    const { agent: browser } = await signIn(app.app, agent.email);
    const me = await browser.get('/api/auth/me');
    expect(sessionInfoSchema.strict().parse(me.body).helpdesk_ticket_url).toBeNull();
  });
});
