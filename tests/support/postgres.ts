/**
 * A real, throwaway PostgreSQL for the tests of tests/pg (README.md, Tests).
 *
 * - With TEST_DATABASE_URL set, that server is used: its role needs CREATEDB
 *   and CREATEROLE (a superuser is simplest), and every database this run
 *   makes is dropped at the end.
 * - Otherwise a private cluster is made with initdb in a temporary folder and
 *   started on a free loopback port (the newest PostgreSQL under
 *   /usr/lib/postgresql), then stopped and deleted at the end.
 *
 * The default export is the vitest globalSetup that does either, migrates a
 * template database once, and hands both to the test files; freshDatabase()
 * then makes each file its own database as a copy of that template.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../db/postgres/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';

const run = promisify(execFile);

interface PostgresForTests {
  /** A superuser-like connection: makes and drops databases and roles. */
  adminUrl: string;
  /** The migrated database every freshDatabase() copies. */
  template: string;
  /** Names this run's databases start with, so that the end of the run finds them all. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresForTests;
  }
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

async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface RunningServer {
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
 * initdb and pg_ctl refuse to run as root: as root they run as the postgres
 * user, who then owns the folder.
 */
async function startPrivateCluster(): Promise<RunningServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'td-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const asRoot = process.getuid?.() === 0;
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);
  if (asRoot) await run('chown', ['postgres:', dir]);

  // --no-sync and the settings below trade durability for speed: this
  // cluster lives for one test run.
  await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    const options = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await tool('pg_ctl', ['-D', data, '-l', log, '-w', '-o', options, 'start']);
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

/** The vitest globalSetup of tests/pg. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  const server: RunningServer = given ? { adminUrl: given, stop: async () => {} } : await startPrivateCluster();
  const prefix = `td_${process.pid}_${randomBytes(3).toString('hex')}_`;
  const template = `${prefix}template`;
  const dropOurs = async () => {
    const ours = await adminQuery<{ datname: string }>(server.adminUrl,
      `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`);
    for (const { datname } of ours) await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`);
  };
  try {
    await adminQuery(server.adminUrl, `CREATE DATABASE ${quote(template)} TEMPLATE template0 ENCODING 'UTF8'`);
    const pool = openPostgres(databaseUrl(server.adminUrl, template));
    try {
      await migratePostgres(pool);
    } finally {
      // CREATE DATABASE … TEMPLATE needs the template to have no connections.
      await pool.end();
    }
  } catch (error) {
    await dropOurs().catch(() => {});
    await server.stop();
    throw error;
  }
  project.provide('postgres', { adminUrl: server.adminUrl, template, prefix });
  return async () => {
    try {
      await dropOurs();
    } finally {
      await server.stop();
    }
  };
}

export interface FreshDatabase {
  name: string;
  url: string;
  /** A pool made by openPostgres, ended by drop(). */
  pool: pg.Pool;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A new database for a test file: a copy of the migrated template (fast), or
 * with `{ migrated: false }` an empty one. Call drop() when done (afterAll);
 * whatever is left is dropped when the run ends.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<FreshDatabase> {
  const { adminUrl, template, prefix } = inject('postgres');
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const source = options.migrated === false ? 'template0' : quote(template);
  await adminQuery(adminUrl, `CREATE DATABASE ${quote(name)} TEMPLATE ${source} ENCODING 'UTF8'`);
  const url = databaseUrl(adminUrl, name);
  const pool = openPostgres(url);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
  };
}

/** Runs `sql` on the test server as its administrator (roles live in the whole cluster). */
export async function asAdmin(sql: string): Promise<void> {
  await adminQuery(inject('postgres').adminUrl, sql);
}
