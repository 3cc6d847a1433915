import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupInto } from '../../db/backup.ts';
import { fail, openCliContext } from './cliContext.ts';

const target = process.argv[2];
if (!target || process.argv.length > 3) fail('Usage: npm run backup -- FILE');
const file = resolve(target);
if (existsSync(file)) fail(`${file} already exists: choose a new file name.`);
const ctx = openCliContext();
const started = performance.now();
backupInto(ctx.db, file);
ctx.db.close();
process.stdout.write(`Backup written to ${file} in ${((performance.now() - started) / 1000).toFixed(2)} s.\n`);
