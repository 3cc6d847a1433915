import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  readonly baseUrl: string;
  readonly databasePath: string;
  /** The server's own output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const startTimeoutMs = 90_000;
const keptLogChars = 20_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('No free port was assigned'))));
    });
  });
}

/**
 * The server should see what `npm start` on a developer machine sees, not the
 * test runner: vitest sets NODE_ENV=test and VITEST_* variables, which a server
 * may reasonably treat differently.
 */
function serverEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'NODE_ENV' || name.startsWith('VITEST')) continue;
    env[name] = value;
  }
  return { ...env, ...overrides };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitUntilHealthy(baseUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (code ${child.exitCode}, signal ${child.signalCode}) before /healthz answered:\n${log()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The server did not answer 200 on /healthz within ${startTimeoutMs / 1000} s:\n${log()}`);
}

export interface ServerOptions {
  /** Extra environment, e.g. the OIDC_* variables of a test identity provider. */
  env?: Record<string, string>;
  /** A port chosen beforehand (freePort()), when something must know the URL before the server starts. */
  port?: number;
}

/**
 * Starts the real server (`node --import tsx server/main.ts`) on a free port
 * with a new database in a temporary folder, which it fills with demo data and
 * the demo staff accounts, and resolves once GET /healthz answers 200.
 * Node is spawned directly, not through npx, so the pid we kill is the server.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'token-desk-e2e-'));
  const databasePath = join(dataDir, 'e2e.db');
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const log = (): string => output;

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: serverEnvironment({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: databasePath,
      DEMO_DATA: 'auto',
      LOG_LEVEL: 'warn',
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-keptLogChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // If the test worker dies without running afterAll, do not leave a server listening.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(forceKill);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilHealthy(baseUrl, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, databasePath, log, stop };
}
