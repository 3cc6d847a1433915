import { verifyLedger } from '../ledger/ledgerCheck.ts';
import { openCliDatabase } from './cliDatabase.ts';

const { opened } = await openCliDatabase('token-desk ledger:verify');
const started = performance.now();
const result = await verifyLedger(opened.storage);
const seconds = ((performance.now() - started) / 1000).toFixed(2);
await opened.close();
if (result.ok) {
  process.stdout.write(`Ledger OK: ${result.entries} entries, every balance and every run checked in ${seconds} s.\n`);
} else {
  process.stderr.write(`Ledger check FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
