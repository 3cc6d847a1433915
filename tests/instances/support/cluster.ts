/**
 * Several real server processes on one database: started, killed, restarted,
 * paused and resumed by the tests, each reached over HTTP only.
 */
import { startServer, type RunningServer } from '../../server/support/serverProcess.ts';

export interface Cluster {
  /** The base URL of instance `i` (it changes when the instance is restarted: a new free port). */
  url(i: number): string;
  /** Instance `i % size`: how a test spreads requests over the instances. */
  spread(n: number): string;
  size: number;
  /** kill -9, and wait for the process to be gone. */
  kill(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  /** SIGSTOP: the process holds its sockets, connections and locks, and does nothing. */
  pause(i: number): void;
  /** SIGCONT. */
  resume(i: number): void;
  /** What instance `i` printed (standard output and error), for a failure's message. */
  output(i: number): string;
  stop(): Promise<void>;
}

async function end(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGCONT');
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000);
  await server.exited;
  clearTimeout(timer);
}

/**
 * Starts `size` instances with `env`. The first starts alone and migrates the
 * database; `afterFirst` then runs (the shared SQLite file exists from then
 * on), and the others start together.
 */
export async function startCluster(size: number, env: Record<string, string>, afterFirst: () => void | Promise<void>): Promise<Cluster> {
  const servers: RunningServer[] = [await startServer(env)];
  try {
    await afterFirst();
    servers.push(...(await Promise.all(Array.from({ length: size - 1 }, () => startServer(env)))));
  } catch (error) {
    await Promise.all(servers.map(end));
    throw error;
  }
  const at = (i: number): RunningServer => servers[i];
  return {
    size,
    url: (i) => at(i).url,
    spread: (n) => at(n % size).url,
    async kill(i) {
      at(i).child.kill('SIGKILL');
      await at(i).exited;
    },
    async restart(i) {
      await end(at(i));
      servers[i] = await startServer(env);
    },
    pause: (i) => void at(i).child.kill('SIGSTOP'),
    resume: (i) => void at(i).child.kill('SIGCONT'),
    output: (i) => at(i).output(),
    async stop() {
      await Promise.all(servers.map(end));
    },
  };
}
