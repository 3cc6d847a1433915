import { z } from 'zod';

const onOff = z.enum(['on', 'off']);

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_PATH: z.string().min(1).default('./data/token-desk.db'),
    NODE_ENV: z.string().optional(),
    INGEST_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
    PASSWORD_LOGIN: onOff.default('on'),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_REDIRECT_URL: z.url().optional(),
    OIDC_EMAIL_DOMAIN: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.INGEST_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['INGEST_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.OIDC_ISSUER && (!env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_CLIENT_ID'], message: 'OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER' });
    }
    if (env.PASSWORD_LOGIN === 'off' && !env.OIDC_ISSUER) {
      ctx.addIssue({ code: 'custom', path: ['PASSWORD_LOGIN'], message: 'cannot be off unless OIDC_ISSUER enables single sign-on' });
    }
  });

/** Used only outside production, so a demo install can ingest without setup. */
export const DEMO_INGEST_SECRET = 'token-desk-demo-ingest-secret';

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  production: boolean;
  ingestSecret: string;
  demoData: 'auto' | 'off';
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  passwordLogin: boolean;
  oidc: null | {
    issuer: string;
    clientId: string;
    clientSecret: string;
    redirectUrl: string;
    emailDomain: string | null;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    production,
    ingestSecret: e.INGEST_SECRET ?? DEMO_INGEST_SECRET,
    demoData: production ? 'off' : e.DEMO_DATA,
    logLevel: e.LOG_LEVEL,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionMaxHours: e.SESSION_MAX_HOURS,
    passwordLogin: e.PASSWORD_LOGIN === 'on',
    oidc: e.OIDC_ISSUER
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID ?? '',
          clientSecret: e.OIDC_CLIENT_SECRET ?? '',
          redirectUrl: e.OIDC_REDIRECT_URL ?? `http://${e.HOST}:${e.PORT}/api/auth/oidc/callback`,
          emailDomain: e.OIDC_EMAIL_DOMAIN ?? null,
        }
      : null,
  };
}
