import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Adapter, AdapterPayload, Provider as ProviderInstance } from 'oidc-provider';

/**
 * A real OpenID provider (oidc-provider, the certified Node implementation)
 * on loopback, for the single sign-on tests. Its one login screen asks only
 * for an e-mail address: whoever types one is signed in as that person, so a
 * test (supertest or Chromium) decides who the provider vouches for.
 */
export interface TestOidcProvider {
  /** e.g. http://127.0.0.1:41234 — what OIDC_ISSUER should say. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The env a Token Desk app needs to sign in through this provider. */
  readonly env: Record<string, string>;
  /** Registers how the provider describes a person; anyone else typed in gets a fresh subject and a verified e-mail. */
  setAccount(account: TestAccount): void;
  /**
   * Plays the browser at the provider: follows the authorization URL, signs
   * in as `email` on the login screen, and returns the URL the provider sends
   * the browser back to (the console's callback, with code and state).
   */
  signIn(authorizationUrl: string, email: string): Promise<URL>;
  close(): Promise<void>;
}

export interface TestAccount {
  email: string;
  sub?: string;
  /** true unless given; null leaves the claim out, as providers that do not verify addresses do. */
  email_verified?: boolean | null;
}

export interface TestOidcProviderOptions {
  redirectUri: string;
  /** The name the issuer URL uses for the loopback address: `localhost` makes the console and the provider different sites in a browser. */
  host?: '127.0.0.1' | 'localhost';
  /** By default (as the spec has it) claims asked for by scope come from the userinfo endpoint; true puts them in the ID token too. */
  claimsInIdToken?: boolean;
}

export const TEST_CLIENT_ID = 'token-desk';

/** The subject a person typed in at the login screen gets unless setAccount said otherwise. */
export const defaultSubject = (email: string): string => `sub-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16)}`;

let providerClass: Promise<typeof ProviderInstance> | undefined;

/**
 * oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" on
 * console.warn once, when it is imported; it runs fine on the Node 20 these
 * machines have (README.md) and only the tests use it. That one line is
 * swallowed, anything else it might print still shows.
 */
function loadProviderClass(): Promise<typeof ProviderInstance> {
  providerClass ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })();
  return providerClass;
}

/**
 * Where the provider keeps codes, sessions and grants: a Map per provider.
 * Given explicitly because the built-in one warns that it is for development
 * only, which is exactly what this is.
 */
function memoryAdapter(): (model: string) => Adapter {
  const stored = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string): AdapterPayload | undefined => {
    const entry = stored.get(key);
    if (entry && entry.expiresAt <= Date.now()) stored.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    const findBy = async (field: 'uid' | 'userCode', value: string) => {
      for (const k of stored.keys()) {
        const payload = k.startsWith(`${model}:`) ? live(k) : undefined;
        if (payload?.[field] === value) return payload;
      }
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        stored.set(key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
      },
      async find(id) {
        return live(key(id));
      },
      findByUid: (uid) => findBy('uid', uid),
      findByUserCode: (userCode) => findBy('userCode', userCode),
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        stored.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, entry] of stored) if (entry.payload.grantId === grantId) stored.delete(k);
      },
    };
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

// The data: icon keeps the browser from asking for /favicon.ico, whose 404 would be a console error.
const loginPage = (uid: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider</title><link rel="icon" href="data:,"></head>
<body>
<main>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the provider on a free loopback port; close() it in afterAll. */
export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const Provider = await loadProviderClass();
  const accounts = new Map<string, Required<TestAccount>>();
  const bySubject = new Map<string, Required<TestAccount>>();
  const accountFor = (email: string): Required<TestAccount> => {
    const known = accounts.get(email.toLowerCase());
    if (known) return known;
    const account = { email, sub: defaultSubject(email), email_verified: true };
    setAccount(account);
    return account;
  };
  const setAccount = (account: TestAccount): void => {
    const full = { sub: defaultSubject(account.email), email_verified: true, ...account };
    accounts.set(full.email.toLowerCase(), full);
    bySubject.set(full.sub, full);
  };

  let provider: ProviderInstance | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    handle(provider, req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`test provider failed: ${String(error)}`);
    });
  };
  const servers = [createServer(onRequest)];
  const port = await listen(servers[0], 0, '127.0.0.1');
  if (options.host === 'localhost') {
    // `localhost` may resolve to ::1 first; answer there too where the machine has IPv6.
    const ipv6 = createServer(onRequest);
    if (await listen(ipv6, port, '::1').then(() => true, () => false)) servers.push(ipv6);
  }
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

  provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email'],
    conformIdTokenClaims: !options.claimsInIdToken,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: false } },
    pkce: { required: () => true },
    // Explicit lifetimes (the defaults print a notice asking for them).
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600, RefreshToken: 600 },
    clientBasedCORS: () => false,
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The console is a first-party client: consent is implied, as at a company's own identity provider.
    loadExistingGrant: async (ctx) => {
      const { client, session, result, provider: op } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return op.Grant.find(grantId);
      const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      const account = bySubject.get(sub);
      if (!account) return undefined;
      const verified = account.email_verified === null ? {} : { email_verified: account.email_verified };
      return { accountId: sub, claims: async () => ({ sub, email: account.email, ...verified }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Test identity provider: error</title><link rel="icon" href="data:,"><pre>${escapeHtml(`${out.error}: ${out.error_description}`)}</pre>`;
    },
  });
  const providerCallback = provider.callback();

  /** The login screen and its form; everything else is the provider's own. */
  async function handle(op: ProviderInstance, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const screen = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!screen) return providerCallback(req, res);
    const interaction = await op.interactionDetails(req, res);
    if (interaction.prompt.name !== 'login') throw new Error(`unexpected prompt ${interaction.prompt.name}`);
    if (req.method === 'GET' && !screen[2]) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(loginPage(interaction.uid));
      return;
    }
    if (req.method === 'POST' && screen[2]) {
      const email = (await readForm(req)).get('email')?.trim() ?? '';
      if (!email) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('email is required');
        return;
      }
      await op.interactionFinished(req, res, { login: { accountId: accountFor(email).sub } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(405).end();
  }

  async function signIn(authorizationUrl: string, email: string): Promise<URL> {
    const cookies = new Map<string, string>();
    const send = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim();
        if (value) cookies.set(name, value);
        else cookies.delete(name);
      }
      await response.arrayBuffer();
      return response;
    };
    const nextLocation = (response: Response, from: string): string => {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) {
        throw new Error(`the provider answered ${response.status} at ${from} instead of a redirect`);
      }
      return new URL(location, from).href;
    };

    const toLogin = nextLocation(await send(authorizationUrl), authorizationUrl);
    if (!toLogin.startsWith(`${issuer}/interaction/`)) return new URL(toLogin);
    const resume = nextLocation(
      await send(`${toLogin}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }).toString() }),
      toLogin,
    );
    return new URL(nextLocation(await send(resume), resume));
  }

  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: TEST_CLIENT_ID, OIDC_CLIENT_SECRET: clientSecret, OIDC_REDIRECT_URL: options.redirectUri },
    setAccount,
    signIn,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve, reject) => {
              server.close((error) => (error ? reject(error) : resolve()));
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
