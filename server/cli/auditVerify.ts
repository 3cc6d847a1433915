import { verifyAuditChain } from '../audit/chainVerifier.ts';
import { openCliContext } from './cliContext.ts';

const ctx = openCliContext();
const started = performance.now();
const result = await verifyAuditChain(ctx.db);
const seconds = (performance.now() - started) / 1000;
ctx.db.close();
if (result.ok) {
  process.stdout.write(`Audit chain OK: ${result.checked} events checked in ${seconds.toFixed(2)} s.\n`);
} else {
  process.stderr.write(`Audit chain BROKEN at event ${result.first_bad_id}: ${result.problem}.\n`);
  process.exit(1);
}
