import { parseArgs } from 'node:util';
import { z } from 'zod';
import { staffCreateSchema } from '../../shared/staff.ts';
import { DomainError } from '../errors.ts';
import { fail, openCliContext } from './cliContext.ts';

const usage = `Usage:
  npm run staff -- add --email E --role agent|lead|admin [--name N] --password-stdin
  npm run staff -- disable --email E`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) fail('--password-stdin reads the password from standard input: pipe it in, e.g. `printf %s "$PW" | npm run staff -- add ...`.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n');
}

async function run(): Promise<void> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        allowPositionals: true,
        options: {
          email: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          'password-stdin': { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      return fail(`${(error as Error).message}\n${usage}`);
    }
  })();
  const command = positionals[0];
  if (command === 'add') {
    if (!values['password-stdin']) fail(`add needs --password-stdin (passwords never go on the command line).\n${usage}`);
    const email = values.email ?? '';
    const parsed = staffCreateSchema.safeParse({
      email,
      role: values.role,
      name: values.name ?? email.split('@')[0],
      password: await readStdin(),
    });
    if (!parsed.success) fail(describe(parsed.error));
    const ctx = await openCliContext();
    try {
      const created = await ctx.staff.create(parsed.data, { type: 'system' });
      process.stdout.write(`Created ${created.role} ${created.email} (${created.id}).\n`);
    } finally {
      // PostgreSQL's idle connections would keep the process alive until the pool lets them go.
      await ctx.database.close();
    }
  } else if (command === 'disable') {
    const email = z.string().trim().email().safeParse(values.email);
    if (!email.success) fail(`--email: give the e-mail address of the account to disable.\n${usage}`);
    const ctx = await openCliContext();
    try {
      const { staff, sessionsEnded } = await ctx.staff.disable(email.data, { type: 'system' });
      process.stdout.write(`Disabled ${staff.email}; ended ${sessionsEnded} session(s).\n`);
    } finally {
      await ctx.database.close();
    }
  } else {
    fail(usage);
  }
}

run().catch((error: unknown) => fail(error instanceof DomainError ? error.message : `staff: ${(error as Error).message}`));
