import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { createAuditRepository } from '../../db/repositories/auditRepository.ts';
import { verifyChain } from '../../server/audit/auditChain.ts';
import { checkLedger } from '../../server/ledger/ledgerCheck.ts';
import { runCli } from './support/cli.ts';
import { httpSignIn, startServer } from './support/serverProcess.ts';
import { serverWorld } from './support/serverWorld.ts';
import { TEST_PASSWORD } from './support/testApp.ts';
import { creditLoad, ingestLoad } from './support/writeLoad.ts';

const root = join(import.meta.dirname, '..', '..');

function backup(env: Record<string, string>, file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'cli', 'backup.ts'), file], {
      cwd: root, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run backup under write load', () => {
  it('takes a copy that passes integrity_check, ledger:verify and audit:verify while credits and ingestion go on', async () => {
    const { database, env, lead, customer, runIds } = await serverWorld({ runs: 3000 });

    const server = await startServer(env);
    const file = join(database.dir, 'backup.db');
    try {
      const session = await httpSignIn(server.url, lead.email, TEST_PASSWORD);
      let done = false;
      const credits = new Map<string, string>();
      const events = new Set<string>();
      const load = [
        ...Array.from({ length: 4 }, () => creditLoad(server.url, session, customer.id, runIds, credits, () => done)),
        ingestLoad(server.url, 'b', events, () => done),
      ];
      await new Promise((resolve) => setTimeout(resolve, 400));
      const before = credits.size;
      const result = await backup(env, file);
      const during = credits.size;
      done = true;
      await Promise.all(load);
      expect(result.code, result.output).toBe(0);
      // Writes went on while the copy was taken.
      expect(during).toBeGreaterThan(before);

      const copy = openDatabase(file, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(checkLedger(copy)).toMatchObject({ ok: true, problems: [] });
        expect(verifyChain(createAuditRepository(copy).iterateChain()).ok).toBe(true);
        expect(copy.prepare("SELECT COUNT(*) FROM credits WHERE status = 'applied'").pluck().get()).toBeGreaterThanOrEqual(before);
      } finally {
        copy.close();
      }
      expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: file }).status).toBe(0);
      expect(runCli('auditVerify.ts', [], { DATABASE_PATH: file }).status).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await database.cleanup();
    }
  }, 120_000);
});
