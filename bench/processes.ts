import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nodeArgs } from '../tests/server/support/serverProcess.ts';
import { repoRoot } from './paths.ts';

export interface ListeningProcess {
  url: string;
  pid: number;
  /** From the spawn to the "listening on" line, in milliseconds. */
  startupMs: number;
  /** Ends the process (SIGTERM, then SIGKILL after a grace period) and waits for it. */
  stop(): Promise<void>;
}

/** The child's environment: only what it needs, so the developer's own settings cannot skew a run. */
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

const waitForExit = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

/**
 * Starts `script` — TypeScript through tsx, the compiled server
 * (dist/server/main.mjs) as `npm start` runs it — and resolves with the URL
 * it prints as "listening on http://…" (the server's start-up line); `args`
 * replaces Node's arguments. Node is started directly, not through npx, so
 * the pid we stop is the process that listens.
 */
export async function startListening(script: string, env: Record<string, string>, args = nodeArgs(script)): Promise<ListeningProcess> {
  const spawnedAt = performance.now();
  let listeningAt = spawnedAt;
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const remember = (chunk: Buffer): void => {
    // Keep the tail only: a long run's warnings must not grow without bound.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    remember(chunk);
    process.stderr.write(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      remember(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        listeningAt = performance.now();
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid ?? -1,
    startupMs: listeningAt - spawnedAt,
    async stop() {
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface ScriptOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * Runs `node --import tsx <script> ...args` to completion. `onStderr` sees
 * progress lines as they come (the seed prints its progress there).
 */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  options: { stdin?: string; onStderr?: (text: string) => void } = {},
): Promise<ScriptOutcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-50_000);
    options.onStderr?.(text);
  });
  child.stdin?.end(options.stdin ?? '');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, stderr, elapsedMs: performance.now() - started };
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used so far, all its threads together (user +
 * system), or undefined where /proc is not there. Unlike wall-clock
 * throughput, CPU per request does not depend on what else the machine runs.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
