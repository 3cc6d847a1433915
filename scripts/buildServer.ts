import { rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const projectRoot = join(import.meta.dirname, '..');

/** Where `npm run build` puts the compiled server (gitignored). */
export const defaultServerOutDir = join(projectRoot, 'dist', 'server');

/**
 * The compiled files, by name: `main.mjs` is the server `npm start` runs;
 * the audit chain's verifying threads load `chainWorker.mjs` from beside it
 * (server/audit/chainVerifier.ts). `.mjs`, so Node reads them as ES modules
 * wherever they are written.
 */
const entryPoints = {
  main: join(projectRoot, 'server', 'main.ts'),
  chainWorker: join(projectRoot, 'server', 'audit', 'chainWorker.ts'),
};

export interface ServerBuild {
  main: string;
  milliseconds: number;
  bytes: number;
}

/**
 * Compiles the server to plain JavaScript: the code of server/, db/ and
 * shared/ in one bundle, every package of node_modules left to Node, so it
 * must run where those resolve (under the repository). Files the server
 * reads at run time stay where they are: the bundle is told the way back to
 * the repository root (db/projectRoot.ts).
 */
export async function buildServer(outDir = defaultServerOutDir): Promise<ServerBuild> {
  const fromRoot = relative(projectRoot, outDir);
  if (fromRoot === '' || fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
    throw new Error(`The compiled server must go in a folder under ${projectRoot}, where its packages resolve: not ${outDir}.`);
  }
  const started = performance.now();
  rmSync(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: projectRoot,
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // tsx keeps names, which wraps every named closure created at run time in a call; production need not pay for it.
    keepNames: false,
    define: { TOKEN_DESK_ROOT_FROM_BUNDLE: JSON.stringify(relative(outDir, projectRoot)) },
    logLevel: 'warning',
  });
  const main = join(outDir, 'main.mjs');
  return { main, milliseconds: performance.now() - started, bytes: statSync(main).size };
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  const result = await buildServer(values.outdir ? resolve(values.outdir) : undefined);
  process.stdout.write(
    `server built: ${relative(process.cwd(), result.main)} (${Math.round(result.bytes / 1024)} kB) in ${Math.round(result.milliseconds)} ms\n`,
  );
}
