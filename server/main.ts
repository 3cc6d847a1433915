import type { Server } from 'node:http';
import { openConfiguredDatabase } from '../db/openStorage.ts';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createContext } from './context.ts';
import { createLogger } from './logger.ts';
import { createDemoStaff, demoStaff } from './seed/demoStaff.ts';
import { seedInto } from './seed/seedInto.ts';
import { loadDemoCredits } from './seed/demoCredits.ts';

async function main(): Promise<void> {
  const config = (() => {
    try {
      return loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
  })();
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase({ path: config.databasePath, url: config.databaseUrl?.reveal() ?? null });
  if (database.applied.length > 0) logger.info({ applied: database.applied, engine: database.engine }, 'migrations applied');

  const ctx = createContext(database, config, systemClock, logger);
  // A database with no staff is new: outside production it gets the demo
  // accounts, and demo data unless it already holds customers.
  const fresh = (await ctx.staff.count()) === 0;
  if (fresh && config.demoData === 'auto') {
    await createDemoStaff(ctx);
    if ((await ctx.storage.get('SELECT 1 AS found FROM customers LIMIT 1')) === undefined) {
      const summary = await seedInto(ctx, { scale: 'small', seed: 1 });
      const credits = await loadDemoCredits(ctx, ctx.clock());
      logger.info({ ...summary, credits }, 'demo data loaded');
    }
  }

  const noStaff = (await ctx.staff.count()) === 0;
  const app = createApp(ctx);
  const server: Server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    const lines = [`Token Desk listening on ${url}`];
    if (fresh && config.demoData === 'auto') {
      lines.push('Demo accounts (this database only):');
      for (const person of demoStaff) lines.push(`  ${person.role.padEnd(6)} ${person.email}  password: ${person.password}`);
    } else if (noStaff) {
      lines.push('No staff accounts yet: create one with `npm run staff -- add --email you@example.com --role admin --password-stdin`.');
    }
    if (!ctx.studioDelivery.push_enabled && !ctx.studioDelivery.feed_enabled) {
      lines.push('Credits are not delivered to the studio: delivery is not configured (set STUDIO_WEBHOOK_URL and STUDIO_WEBHOOK_SECRET, or STUDIO_FEED_TOKEN).');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'server could not start');
    process.exit(1);
  });

  ctx.dispatcher?.start();

  const purge = setInterval(() => {
    ctx.sessions.purgeExpired().catch((error: unknown) => logger.warn({ err: error }, 'expired sessions not purged'));
    ctx.credits.purgeIdempotencyKeys(48).catch((error: unknown) => logger.warn({ err: error }, 'old idempotency keys not purged'));
  }, 10 * 60_000);
  purge.unref();

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    // Attempts in flight are recorded before the database closes; one cut short is sent again after its lease.
    const dispatcherStopped = ctx.dispatcher?.stop() ?? Promise.resolve();
    server.close(() => {
      void dispatcherStopped.then(async () => {
        await database.close();
        process.exit(0);
      });
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
