/**
 * Entry point: load settings, open and migrate the database, make sure the first
 * superuser exists, then listen. `--local-defaults` (what `npm start` passes)
 * lets a fresh clone run with development values when ENVIRONMENT is local.
 */
import { buildApp } from './app.js';
import { ConfigError, type LoadedConfig, loadConfig, readSources } from './config.js';
import { openDatabase } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './logging.js';
import { reportEmailDuplicates } from './users/email-duplicates.js';
import { defaultWebRoot } from './web/static.js';

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`roster: ${line}\n`);
  process.exit(1);
}

function settings(): LoadedConfig {
  try {
    return loadConfig(readSources(), { useLocalDefaults: process.argv.includes('--local-defaults') });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.problems);
    throw error;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const { config, warnings } = settings();
  const logger = createLogger(config.logLevel);
  for (const warning of warnings) logger.warn(warning);

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  }).catch((error) => fail([`cannot open the database: ${error instanceof Error ? error.message : String(error)}`]));
  const applied = await migrate(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const webRoot = defaultWebRoot();
  if (!webRoot) logger.warn('web/dist not found: serving the API only (npm run build --workspace web builds the app).');
  const { app, ctx } = await buildApp({ config, database, logger, webRoot });
  await reportEmailDuplicates(ctx.users, logger);
  const created = await ctx.users.createIfAbsent({
    email: config.firstSuperuser,
    password: config.firstSuperuserPassword,
    isSuperuser: true,
    isVerified: true,
  });
  if (created) logger.info({ email: config.firstSuperuser }, 'first superuser created');
  if (config.environment === 'local') {
    logger.warn('ENVIRONMENT=local: the private routes (/api/v1/private/*) create accounts without authentication.');
  }
  if (config.environment === 'local' && !config.bruteForce.rateLimitEnabled) {
    logger.info(
      'ENVIRONMENT=local: rate limits are off (RATE_LIMIT_ENABLED=true turns them on); the login lockout still applies.',
    );
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app
    .listen({ host: config.host, port: config.port })
    .catch((error: NodeJS.ErrnoException) =>
      fail([`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`]),
    );
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  logger.info(
    { database: database.kind, environment: config.environment, startupMs: Math.round(performance.now() - started) },
    `Roster listening on http://${shownHost}:${port} (docs at http://${shownHost}:${port}/docs)`,
  );
}

main().catch((error) => {
  process.stderr.write(`roster: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
