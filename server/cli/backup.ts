import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupInto } from '../../db/backup.ts';
import type { Engine } from '../../db/storage/types.ts';
import { fail } from './cliContext.ts';
import { openCliDatabase } from './cliDatabase.ts';

/**
 * A PostgreSQL database is backed up with PostgreSQL's own tool, which reads one consistent
 * snapshot while the console keeps writing: on that engine the command only says so. SQLite's
 * online copy (VACUUM INTO, db/backup.ts) is this command's own.
 */
function pointToPgDump(engine: Engine): void {
  if (engine === 'postgres') {
    fail('This database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=FILE "$DATABASE_URL".');
  }
}

const target = process.argv[2];
if (!target || process.argv.length > 3) fail('Usage: npm run backup -- FILE');
const file = resolve(target);
if (existsSync(file)) fail(`${file} already exists: choose a new file name.`);
const { opened } = await openCliDatabase('token-desk backup');
pointToPgDump(opened.engine);
if (opened.engine === 'sqlite') {
  const started = performance.now();
  backupInto(opened.db, file);
  await opened.close();
  process.stdout.write(`Backup written to ${file} in ${((performance.now() - started) / 1000).toFixed(2)} s.\n`);
}
