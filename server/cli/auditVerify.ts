import { verifyAuditChain } from '../audit/chainVerifier.ts';
import { openCliDatabase } from './cliDatabase.ts';

const { opened, location } = await openCliDatabase('token-desk audit:verify');
const started = performance.now();
// The verifier's threads open the database themselves: its URL on PostgreSQL, else the file.
const result = await verifyAuditChain(opened.storage, { location: location.url ?? location.path });
const seconds = (performance.now() - started) / 1000;
await opened.close();
if (result.ok) {
  process.stdout.write(`Audit chain OK: ${result.checked} events checked in ${seconds.toFixed(2)} s.\n`);
} else {
  process.stderr.write(`Audit chain BROKEN at event ${result.first_bad_id}: ${result.problem}.\n`);
  process.exit(1);
}
