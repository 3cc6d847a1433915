/**
 * The command-line tools, run as `npm run audit:verify` and `npm run
 * ledger:verify` run them (node --import tsx server/cli/…), against the
 * shared database. Asynchronous: the test process keeps serving the webhook
 * receiver meanwhile.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(script: 'auditVerify.ts' | 'ledgerVerify.ts', env: Record<string, string>): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'server', 'cli', script)],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
