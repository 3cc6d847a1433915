import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_INGEST_SECRET, loadConfig } from '../../server/config.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000, host: '127.0.0.1', databasePath: './data/token-desk.db', production: false, ingestSecret: DEMO_INGEST_SECRET,
      demoData: 'auto', logLevel: 'info', sessionIdleMinutes: 30, sessionMaxHours: 12, passwordLogin: true, oidc: null,
    });
  });

  it('selects PostgreSQL with DATABASE_URL, kept secret, and names a bad one', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    const url = 'postgres://desk:hunter2@127.0.0.1:5432/tokendesk';
    const config = loadConfig({ DATABASE_URL: url });
    expect(config.databaseUrl?.reveal()).toBe(url);
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(problemsOf({ DATABASE_URL: 'mysql://127.0.0.1/tokendesk' })).toEqual(['DATABASE_URL: must be a postgres:// URL']);
    expect(problemsOf({ DATABASE_URL: 'postgres://127.0.0.1:5432' })).toEqual([expect.stringMatching(/^DATABASE_URL: must name the database/)]);
    expect(problemsOf({ DATABASE_URL: 'not a url' })).toEqual([expect.stringMatching(/^DATABASE_URL: must be a URL/)]);
  });

  it('names each bad variable', () => {
    expect(problemsOf({ PORT: 'eighty', SESSION_IDLE_MINUTES: '0', DEMO_DATA: 'sometimes' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^DEMO_DATA: /),
      expect.stringMatching(/^SESSION_IDLE_MINUTES: /),
    ]);
  });

  it('requires an ingest secret in production and never loads demo data there', () => {
    expect(problemsOf({ NODE_ENV: 'production', STUDIO_FEED_TOKEN: 'f'.repeat(32) })).toEqual([expect.stringMatching(/^INGEST_SECRET: is required/)]);
    const config = loadConfig({ NODE_ENV: 'production', INGEST_SECRET: 'a-long-production-secret', DEMO_DATA: 'auto', STUDIO_FEED_TOKEN: 'f'.repeat(32) });
    expect(config).toMatchObject({ production: true, demoData: 'off', ingestSecret: 'a-long-production-secret' });
  });

  it('needs single sign-on configured before password sign-in can be turned off', () => {
    expect(problemsOf({ PASSWORD_LOGIN: 'off' })).toEqual([expect.stringMatching(/^PASSWORD_LOGIN: /)]);
    expect(problemsOf({ OIDC_ISSUER: 'https://id.example.test' })).toEqual([expect.stringMatching(/^OIDC_CLIENT_ID: /)]);
    const config = loadConfig({ OIDC_ISSUER: 'https://id.example.test', OIDC_CLIENT_ID: 'desk', OIDC_CLIENT_SECRET: 's', PORT: '4000' });
    expect(config.oidc).toEqual({
      issuer: 'https://id.example.test', clientId: 'desk', clientSecret: 's',
      redirectUrl: 'http://127.0.0.1:4000/api/auth/oidc/callback', emailDomain: null,
    });
  });

  describe('credit delivery to the studio', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const previous = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    const push = { STUDIO_WEBHOOK_URL: 'https://studio.example.com/hooks/credits', STUDIO_WEBHOOK_SECRET: secret };

    it('is off by default, with the defaults of the contract when push is on', () => {
      expect(loadConfig({})).toMatchObject({ webhook: null, feedToken: null, metricsToken: null });
      const config = loadConfig(push);
      expect(config.webhook).toMatchObject({
        url: 'https://studio.example.com/hooks/credits', timeoutMs: 15_000, concurrency: 4,
        retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000],
      });
      expect(config.webhook?.keys.map((key) => key.reveal())).toEqual([Buffer.alloc(32, 7).toString('base64')]);
      const rotating = loadConfig({ ...push, STUDIO_WEBHOOK_SECRET_PREVIOUS: previous, STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s, 2m,3h', STUDIO_WEBHOOK_TIMEOUT_SECONDS: '3', STUDIO_WEBHOOK_CONCURRENCY: '9' });
      expect(rotating.webhook).toMatchObject({ retryScheduleMs: [1_000, 120_000, 10_800_000], timeoutMs: 3_000, concurrency: 9 });
      expect(rotating.webhook?.keys).toHaveLength(2);
      expect(loadConfig({ STUDIO_WEBHOOK_URL: 'http://127.0.0.1:4000/', STUDIO_WEBHOOK_SECRET: secret }).webhook?.url).toBe('http://127.0.0.1:4000/');
      expect(loadConfig({ STUDIO_WEBHOOK_URL: 'http://[::1]:4000/', STUDIO_WEBHOOK_SECRET: secret }).webhook).not.toBeNull();
      expect(loadConfig({ STUDIO_FEED_TOKEN: 'f'.repeat(32) }).feedToken?.reveal()).toBe('f'.repeat(32));
    });

    it.each([
      [{ ...push, STUDIO_WEBHOOK_URL: 'not a url' }, 'STUDIO_WEBHOOK_URL'],
      [{ ...push, STUDIO_WEBHOOK_URL: 'ftp://studio.example.com/' }, 'STUDIO_WEBHOOK_URL'],
      [{ ...push, STUDIO_WEBHOOK_URL: 'http://studio.example.com/hooks' }, 'STUDIO_WEBHOOK_URL'],
      [{ ...push, STUDIO_WEBHOOK_URL: 'http://10.0.0.5/hooks' }, 'STUDIO_WEBHOOK_URL'],
      [{ ...push, STUDIO_WEBHOOK_URL: 'https://user:pw@studio.example.com/hooks' }, 'STUDIO_WEBHOOK_URL'],
      [{ STUDIO_WEBHOOK_URL: 'https://studio.example.com/hooks' }, 'STUDIO_WEBHOOK_SECRET'],
      [{ STUDIO_WEBHOOK_SECRET: secret }, 'STUDIO_WEBHOOK_URL'],
      [{ ...push, STUDIO_WEBHOOK_SECRET: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' }, 'STUDIO_WEBHOOK_SECRET'],
      [{ ...push, STUDIO_WEBHOOK_SECRET: 'whsec_not base64!' }, 'STUDIO_WEBHOOK_SECRET'],
      [{ ...push, STUDIO_WEBHOOK_SECRET: `whsec_${Buffer.alloc(23, 1).toString('base64')}` }, 'STUDIO_WEBHOOK_SECRET'],
      [{ ...push, STUDIO_WEBHOOK_SECRET_PREVIOUS: 'whsec_short' }, 'STUDIO_WEBHOOK_SECRET_PREVIOUS'],
      [{ STUDIO_WEBHOOK_SECRET_PREVIOUS: previous, STUDIO_FEED_TOKEN: 'f'.repeat(32) }, 'STUDIO_WEBHOOK_SECRET_PREVIOUS'],
      [{ ...push, STUDIO_WEBHOOK_TIMEOUT_SECONDS: '0' }, 'STUDIO_WEBHOOK_TIMEOUT_SECONDS'],
      [{ ...push, STUDIO_WEBHOOK_TIMEOUT_SECONDS: '2.5' }, 'STUDIO_WEBHOOK_TIMEOUT_SECONDS'],
      [{ ...push, STUDIO_WEBHOOK_TIMEOUT_SECONDS: 'soon' }, 'STUDIO_WEBHOOK_TIMEOUT_SECONDS'],
      [{ ...push, STUDIO_WEBHOOK_RETRY_SCHEDULE: '5s,,1m' }, 'STUDIO_WEBHOOK_RETRY_SCHEDULE'],
      [{ ...push, STUDIO_WEBHOOK_RETRY_SCHEDULE: '5x' }, 'STUDIO_WEBHOOK_RETRY_SCHEDULE'],
      [{ ...push, STUDIO_WEBHOOK_RETRY_SCHEDULE: '0s' }, 'STUDIO_WEBHOOK_RETRY_SCHEDULE'],
      [{ ...push, STUDIO_WEBHOOK_RETRY_SCHEDULE: '200h' }, 'STUDIO_WEBHOOK_RETRY_SCHEDULE'],
      [{ ...push, STUDIO_WEBHOOK_CONCURRENCY: '0' }, 'STUDIO_WEBHOOK_CONCURRENCY'],
      [{ ...push, STUDIO_WEBHOOK_CONCURRENCY: '65' }, 'STUDIO_WEBHOOK_CONCURRENCY'],
      [{ STUDIO_FEED_TOKEN: 'too-short' }, 'STUDIO_FEED_TOKEN'],
      [{ STUDIO_FEED_TOKEN: `${'f'.repeat(32)} with spaces` }, 'STUDIO_FEED_TOKEN'],
      [{ METRICS_TOKEN: 'too-short' }, 'METRICS_TOKEN'],
    ])('refuses %o naming %s', (env, variable) => {
      const problems = problemsOf(env);
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${variable}: `))]);
      // A message names the variable, never its value.
      for (const value of Object.values(env).filter((v) => v.length > 12)) expect(problems.join('\n')).not.toContain(value);
    });

    it('refuses to start in production with nothing that reaches the studio, naming both variables', () => {
      expect(problemsOf({ NODE_ENV: 'production', INGEST_SECRET: 'a-long-production-secret' })).toEqual([
        expect.stringMatching(/^STUDIO_WEBHOOK_URL or STUDIO_FEED_TOKEN: is required when NODE_ENV=production/),
      ]);
      expect(problemsOf({ NODE_ENV: 'production', INGEST_SECRET: 'a-long-production-secret', STUDIO_FEED_TOKEN: 'f'.repeat(32) })).toEqual([]);
    });

    it('keeps secrets out of anything printed: logs, JSON, inspection', async () => {
      const { inspect } = await import('node:util');
      const config = loadConfig({ ...push, STUDIO_WEBHOOK_SECRET_PREVIOUS: previous, STUDIO_FEED_TOKEN: 'f'.repeat(32), METRICS_TOKEN: 'm'.repeat(32) });
      const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.feedToken), `${config.webhook?.keys[0]}`].join('\n');
      for (const hidden of [secret.slice(6), previous.slice(6), 'f'.repeat(32), 'm'.repeat(32)]) expect(printed).not.toContain(hidden);
      expect(printed).toContain('[redacted]');
    });
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default and takes a hop count, addresses, CIDR ranges and range names', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,fd00::/8, uniquelocal' }).trustProxy).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8', 'uniquelocal']);
  });

  it.each(['yes', 'true', '0', '-1', '1.5', '10.0.0.0/33', '10.0.0.0/8,', 'loopback, the-load-balancer', '::1/129', '300.1.2.3'])(
    'refuses %j naming TRUST_PROXY',
    (value) => {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY: /)]);
    },
  );
});
