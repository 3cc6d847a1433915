import { z } from 'zod';
import { Secret } from './delivery/secret.ts';
import { parseTrustProxy, type TrustProxy } from './http/origin.ts';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, parseWebhookSecret, parseWebhookUrl, type Parsed } from './delivery/deliverySettings.ts';

const onOff = z.enum(['on', 'off']);

/** A string variable checked (and converted) by one of the delivery parsers. */
const parsedWith = <T>(parse: (text: string) => Parsed<T>) =>
  z.string().transform((text, ctx) => {
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  });

const longToken = z.string().min(32, 'must be at least 32 characters').max(1024, 'must be at most 1024 characters')
  .regex(/^[\x21-\x7E]+$/, 'must be printable characters without spaces');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    TRUST_PROXY: parsedWith(parseTrustProxy).default(false),
    DATABASE_PATH: z.string().min(1).default('./data/token-desk.db'),
    DATABASE_URL: parsedWith(parseDatabaseUrl).optional(),
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
    STUDIO_WEBHOOK_URL: parsedWith(parseWebhookUrl).optional(),
    STUDIO_WEBHOOK_SECRET: parsedWith(parseWebhookSecret).optional(),
    STUDIO_WEBHOOK_SECRET_PREVIOUS: parsedWith(parseWebhookSecret).optional(),
    STUDIO_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(1).max(300).default(15),
    STUDIO_WEBHOOK_RETRY_SCHEDULE: parsedWith(parseRetrySchedule).default(() => {
      const parsed = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
      if (!parsed.ok) throw new Error('the default retry schedule does not parse');
      return parsed.value;
    }),
    STUDIO_WEBHOOK_CONCURRENCY: z.coerce.number().int('must be a whole number').min(1).max(64).default(4),
    STUDIO_FEED_TOKEN: longToken.optional(),
    METRICS_TOKEN: longToken.optional(),
    HELPDESK_TICKET_URL: parsedWith(parseHelpdeskTicketUrl).optional(),
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
    if (env.STUDIO_WEBHOOK_URL && !env.STUDIO_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['STUDIO_WEBHOOK_SECRET'], message: 'is required with STUDIO_WEBHOOK_URL' });
    }
    if (env.STUDIO_WEBHOOK_SECRET && !env.STUDIO_WEBHOOK_URL) {
      ctx.addIssue({ code: 'custom', path: ['STUDIO_WEBHOOK_URL'], message: 'is required with STUDIO_WEBHOOK_SECRET (where should events go?)' });
    }
    if (env.STUDIO_WEBHOOK_SECRET_PREVIOUS && !env.STUDIO_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['STUDIO_WEBHOOK_SECRET_PREVIOUS'], message: 'is only used beside STUDIO_WEBHOOK_SECRET, during a rotation' });
    }
    if (env.NODE_ENV === 'production' && !env.STUDIO_WEBHOOK_URL && !env.STUDIO_FEED_TOKEN) {
      ctx.addIssue({
        code: 'custom', path: ['STUDIO_WEBHOOK_URL or STUDIO_FEED_TOKEN'],
        message: 'is required when NODE_ENV=production: without one of them no credit reaches the studio',
      });
    }
  });

/** Where a ticket reference is replaced in HELPDESK_TICKET_URL. */
export const TICKET_PLACEHOLDER = '{ticket}';

/**
 * HELPDESK_TICKET_URL: an https address with `{ticket}` where the reference
 * goes. Checked at start so that a typo shows up once, in the log, rather
 * than as broken links on every credit.
 */
function parseHelpdeskTicketUrl(text: string): Parsed<string> {
  if (!text.includes(TICKET_PLACEHOLDER)) return { ok: false, message: `must contain ${TICKET_PLACEHOLDER} where the ticket reference goes` };
  let url: URL;
  try {
    url = new URL(text.replaceAll(TICKET_PLACEHOLDER, 'ticket'));
  } catch {
    return { ok: false, message: `must be a URL, e.g. https://support.example.com/tickets/${TICKET_PLACEHOLDER}` };
  }
  if (url.protocol !== 'https:') return { ok: false, message: 'must be an https: URL' };
  if (url.username || url.password) return { ok: false, message: 'must not carry a user or password' };
  return { ok: true, value: text };
}

/**
 * DATABASE_URL: a `postgres://` (or `postgresql://`) address selects PostgreSQL instead of the
 * SQLite file (docs/postgres.md). Checked at start, so a typo is one clear line, not a
 * connection error later.
 */
function parseDatabaseUrl(text: string): Parsed<Secret> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'must be a URL, e.g. postgres://tokendesk:PASSWORD@127.0.0.1:5432/tokendesk' };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return { ok: false, message: 'must be a postgres:// URL' };
  if (!url.pathname || url.pathname === '/') return { ok: false, message: 'must name the database, e.g. postgres://…/tokendesk' };
  return { ok: true, value: new Secret(text) };
}

/** Used only outside production, so a demo install can ingest without setup. */
export const DEMO_INGEST_SECRET = 'token-desk-demo-ingest-secret';

export interface Config {
  port: number;
  host: string;
  /** Express's `trust proxy`: which proxies may report the client address (false: none, the socket's address counts). */
  trustProxy: TrustProxy;
  databasePath: string;
  /** PostgreSQL's address when DATABASE_URL selects it (a secret: it may carry a password); null on SQLite. */
  databaseUrl: Secret | null;
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
  /** Pushing credit events to the studio; null when STUDIO_WEBHOOK_URL is unset. */
  webhook: WebhookConfig | null;
  /** The bearer token of the credit event feed; null turns the feed off (404). */
  feedToken: Secret | null;
  /** The bearer token of `GET /metrics`; null turns it off (404). */
  metricsToken: Secret | null;
  /** The helpdesk's address of one ticket, `{ticket}` standing for its reference; null when ticket references are plain text. */
  helpdeskTicketUrl: string | null;
}

export interface WebhookConfig {
  url: string;
  /** HMAC keys: the current one, then the previous one during a rotation. */
  keys: Secret[];
  timeoutMs: number;
  /** The waits after each failed attempt; after the last one fails the event is given up. */
  retryScheduleMs: number[];
  concurrency: number;
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
    trustProxy: e.TRUST_PROXY,
    databasePath: e.DATABASE_PATH,
    databaseUrl: e.DATABASE_URL ?? null,
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
    webhook: e.STUDIO_WEBHOOK_URL && e.STUDIO_WEBHOOK_SECRET
      ? {
          url: e.STUDIO_WEBHOOK_URL.href,
          keys: [e.STUDIO_WEBHOOK_SECRET, e.STUDIO_WEBHOOK_SECRET_PREVIOUS]
            .filter((key): key is Buffer => key !== undefined)
            .map((key) => new Secret(key.toString('base64'))),
          timeoutMs: e.STUDIO_WEBHOOK_TIMEOUT_SECONDS * 1000,
          retryScheduleMs: e.STUDIO_WEBHOOK_RETRY_SCHEDULE,
          concurrency: e.STUDIO_WEBHOOK_CONCURRENCY,
        }
      : null,
    feedToken: e.STUDIO_FEED_TOKEN ? new Secret(e.STUDIO_FEED_TOKEN) : null,
    metricsToken: e.METRICS_TOKEN ? new Secret(e.METRICS_TOKEN) : null,
    helpdeskTicketUrl: e.HELPDESK_TICKET_URL ?? null,
  };
}
