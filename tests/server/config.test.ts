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
  it('has the defaults of operations.md', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000, host: '127.0.0.1', databasePath: './data/token-desk.db', production: false, ingestSecret: DEMO_INGEST_SECRET,
      demoData: 'auto', logLevel: 'info', sessionIdleMinutes: 30, sessionMaxHours: 12, passwordLogin: true, oidc: null,
    });
  });

  it('names each bad variable', () => {
    expect(problemsOf({ PORT: 'eighty', SESSION_IDLE_MINUTES: '0', DEMO_DATA: 'sometimes' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^DEMO_DATA: /),
      expect.stringMatching(/^SESSION_IDLE_MINUTES: /),
    ]);
  });

  it('requires an ingest secret in production and never loads demo data there', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^INGEST_SECRET: is required/)]);
    const config = loadConfig({ NODE_ENV: 'production', INGEST_SECRET: 'a-long-production-secret', DEMO_DATA: 'auto' });
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
});
