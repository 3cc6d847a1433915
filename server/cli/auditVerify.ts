import { verifyAuditChain } from '../audit/chainVerifier.ts';
import { openCliContext } from './cliContext.ts';

const ctx = openCliContext();
const started = performance.now();
const result = await verifyAuditChain(ctx.storage, { location: ctx.db.name });
const seconds = (performance.now() - started) / 1000;
await ctx.storage.close();
ctx.db.close();
if (result.ok) {
  process.stdout.write(`Audit chain OK: ${result.checked} events checked in ${seconds.toFixed(2)} s.\n`);
} else {
  process.stderr.write(`Audit chain BROKEN at event ${result.first_bad_id}: ${result.problem}.\n`);
  process.exit(1);
}
