import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations } from '../../db/migrate.ts';
import { openConfiguredDatabase } from '../../db/openStorage.ts';

describe('opening the configured database (SQLite: no DATABASE_URL)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates and migrates the file once, and its storage reads what it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-open-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'desk.db');
    const first = await openConfiguredDatabase({ path, url: null });
    expect(first.engine).toBe('sqlite');
    expect(first.applied).toEqual(listMigrations().map((m) => m.version));
    await first.storage.transaction((tx) => tx.run("INSERT INTO throttle_counters (key, hits, reset_at) VALUES ('k', 2, '2026-12-05T00:00:00.000Z')"));
    expect(await first.storage.get('SELECT hits FROM throttle_counters WHERE key = ?', ['k'])).toEqual({ hits: 2 });
    await first.close();

    const again = await openConfiguredDatabase({ path, url: null });
    expect(again.applied).toEqual([]);
    expect(await again.storage.get('SELECT hits FROM throttle_counters WHERE key = ?', ['k'])).toEqual({ hits: 2 });
    await again.close();
  });
});
