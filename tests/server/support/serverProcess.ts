import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /** Everything the process printed so far, standard output and error together. */
  output: () => string;
}

/**
 * Node's arguments for a script: TypeScript sources through tsx; compiled
 * JavaScript (dist/server/main.mjs) as `npm start` runs it, with its source
 * maps for stack traces.
 */
export const nodeArgs = (script: string): string[] => (script.endsWith('.ts') ? ['--import', 'tsx', script] : ['--enable-source-maps', script]);

/**
 * Starts the real server on a free port: its sources, as `npm run dev:server`
 * does, or the compiled `main.mjs` given as `script`, as `npm start` does;
 * from the repository root unless `cwd` says otherwise.
 */
export async function startServer(
  env: Record<string, string>,
  { script = join(root, 'server', 'main.ts'), cwd = root }: { script?: string; cwd?: string } = {},
): Promise<RunningServer> {
  const child = spawn(process.execPath, nodeArgs(script), {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'silent', DEMO_DATA: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { url, child, exited, output: () => output };
}

/** Signs in over real HTTP and returns what later requests need. */
export async function httpSignIn(url: string, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const body = (await res.json()) as { csrf_token: string };
  return { cookie, csrf: body.csrf_token };
}
