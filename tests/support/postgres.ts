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
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../db/postgres/migrate.ts';
import { openPostgres } from '../../db/postgres/pool.ts';
import { adminQuery, databaseUrl, startPrivateCluster, type RunningCluster } from '../../scripts/postgresCluster.ts';

export { databaseUrl };

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

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The vitest globalSetup of tests/pg. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  const server: RunningCluster = given ? { adminUrl: given, stop: async () => {} } : await startPrivateCluster({ durable: false });
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
      // A storage over this pool may have ended it already (its close()).
      if (!pool.ended) await pool.end();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
  };
}

/** Runs `sql` on the test server as its administrator (roles live in the whole cluster). */
export async function asAdmin(sql: string): Promise<void> {
  await adminQuery(inject('postgres').adminUrl, sql);
}
