/**
 * A private PostgreSQL cluster in a temporary folder, for the PostgreSQL tests and the benchmark:
 * made with initdb (the newest PostgreSQL under /usr/lib/postgresql, installed the Debian way),
 * started on a free loopback port, stopped and deleted by stop().
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface RunningCluster {
  /** The superuser `postgres` on the cluster's `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** The bin folder of the newest PostgreSQL installed the Debian way. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('No PostgreSQL under /usr/lib/postgresql: install it (apt-get install -y --no-install-recommends postgresql-15) or set TEST_DATABASE_URL');
  }
  return join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a cluster. `durable: false` (the tests) trades durability for speed — no fsync, no
 * synchronous commit, no full-page writes — as a cluster that lives for one test run may;
 * `durable: true` (the benchmark) keeps PostgreSQL's defaults, as a studio would run it.
 * initdb and pg_ctl refuse to run as root: as root they run as the postgres user, who then owns
 * the folder.
 */
export async function startPrivateCluster(options: { durable: boolean; settings?: string[] }): Promise<RunningCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'td-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const asRoot = process.getuid?.() === 0;
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);
  if (asRoot) await run('chown', ['postgres:', dir]);

  await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', ...(options.durable ? [] : ['--no-sync'])]);
  const settings = [...(options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']), ...(options.settings ?? [])];
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    const serverOptions = [`-p ${port} -h 127.0.0.1 -k ${dir}`, ...settings.map((s) => `-c ${s}`)].join(' ');
    try {
      await tool('pg_ctl', ['-D', data, '-l', log, '-w', '-o', serverOptions, 'start']);
      break;
    } catch (error) {
      // Another process may have taken the port between our look and the start.
      if (attempt === 3) {
        const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${serverLog}`);
      }
    }
  }
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `url` with another database (and, if given, another user). */
export function databaseUrl(url: string, database: string, user?: string): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  if (user !== undefined) {
    next.username = user;
    next.password = '';
  }
  return next.toString();
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Runs one statement as the administrator of `url`'s server, on a connection of its own. */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Makes database `name` on the server of `adminUrl` (a copy of `template`, or empty) and returns its URL. */
export async function createDatabase(adminUrl: string, name: string, template = 'template0'): Promise<string> {
  await adminQuery(adminUrl, `CREATE DATABASE ${quote(name)} TEMPLATE ${quote(template)} ENCODING 'UTF8'`);
  return databaseUrl(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
}
