/**
 * SQLite's migration 005 on a database made before delivery existed: it queues the credits already
 * granted. SQLite only (tests/server/postgres.config.ts): PostgreSQL's 005 stops instead, as a
 * PostgreSQL database holds no credits before its migrations (tests/pg/migrations.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../db/migrate.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, sqliteOf, type TestApp } from './support/testApp.ts';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.cleanup();
  app = undefined;
});

describe('migration 005 on SQLite', () => {
  it('queues the credits granted before delivery existed, with the body the console writes for new ones', async () => {
    const t = (app = await createTestApp());
    const w = await creditWorld(t.app, t.ctx);
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await act(w.as.lead, `/api/credits/${credit.body.id}/void`, { reason: 'Wrong account' });
    const written = await t.rows('SELECT id, body, type FROM credit_events ORDER BY seq');
    expect(written).toHaveLength(2);

    // The same ledger as a database made before delivery had it: without the outbox, then migrated.
    const old = sqliteOf(t.ctx);
    old.pragma('foreign_keys = OFF');
    old.exec(`DROP TRIGGER ledger_credit_event_required; DROP TRIGGER credit_events_kept; DROP TRIGGER credit_events_frozen;
      DROP TRIGGER credit_events_delivered_final; DROP TRIGGER credit_events_void_after_applied; DROP TABLE credit_events;
      DELETE FROM schema_migrations WHERE version >= 5;`);
    old.pragma('foreign_keys = ON');
    expect(migrate(old, listMigrations().filter((m) => m.version <= 5))).toEqual([5]);
    expect(old.prepare('SELECT id, body, type FROM credit_events ORDER BY seq').all()).toEqual(written);
    expect(old.prepare('SELECT DISTINCT state FROM credit_events').pluck().all()).toEqual(['pending']);
  });
});
