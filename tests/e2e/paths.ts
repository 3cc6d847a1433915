import { fileURLToPath } from 'node:url';

/** The repository root: the server and the SPA build run from here, whatever the caller's working directory. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
