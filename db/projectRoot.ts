import { join, resolve } from 'node:path';

/**
 * Set by the server build (scripts/buildServer.ts) to where the repository
 * root lies from the compiled bundle's folder; not defined when the
 * TypeScript sources run (tsx, vitest).
 */
declare const TOKEN_DESK_ROOT_FROM_BUNDLE: string | undefined;

/**
 * The repository root: what the server reads at run time (db/migrations and
 * its postgres/ folder, server/media, client/dist) is found from here. From
 * the sources it is the folder above db/. The compiled server is one file in
 * dist/server/ whose `import.meta` says nothing about db/, so the build writes
 * in the way back to the root. Find files from here, never from
 * `import.meta.url`, which in the compiled server is dist/server/main.mjs.
 */
export const projectRoot =
  typeof TOKEN_DESK_ROOT_FROM_BUNDLE === 'string' ? resolve(import.meta.dirname, TOKEN_DESK_ROOT_FROM_BUNDLE) : join(import.meta.dirname, '..');
