/**
 * Entry point: load settings, open and migrate the database, make sure the first
 * superuser exists, then listen. `--local-defaults` (what `npm start` passes)
 * lets a fresh clone run with development values when ENVIRONMENT is local.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { type Config, ConfigError, type LoadedConfig, loadConfig, readSources } from './config.js';
import { openDatabase } from './db/client.js';
import { assertDataFolderFree, DataFolderInUseError, shownPath } from './db/data-folder-lock.js';
import { migrate } from './db/migrate.js';
import { createLogger } from './logging.js';
import { readyMessage } from './ready-message.js';
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

/** The address a browser on this machine opens. */
function publicUrl(config: Config, port: number): string {
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  return `http://${shownHost}:${port}`;
}

/** Another Roster holds the embedded database's folder: refuse before saying anything else. */
function refuseIfDataFolderInUse(dataDir: string): void {
  try {
    assertDataFolderFree(dataDir);
  } catch (error) {
    if (error instanceof DataFolderInUseError) refuseInUse(error);
    throw error;
  }
}

/**
 * Say so when the embedded database's folder is new: a mistyped DATA_DIR would otherwise
 * start an empty database silently, and creating the database takes a while on the first run.
 */
function announceDataFolder(dataDir: string, logger: Logger): void {
  if (!fs.existsSync(dataDir)) logger.info(`DATA_DIR ${dataDir} does not exist: creating it.`);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info(`creating the embedded database in ${shownPath(dataDir)} (first run)…`);
  }
}

/** The one line a second process on the same data folder prints. */
function refuseInUse(error: DataFolderInUseError): never {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const started = performance.now();
  const { config, warnings } = settings();
  if (!config.databaseUrl) refuseIfDataFolderInUse(config.dataDir);
  const logger = createLogger(config.logLevel, config.logFormat);
  for (const warning of warnings) logger.warn(warning);

  if (!config.databaseUrl) announceDataFolder(config.dataDir, logger);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    holder: publicUrl(config, config.port),
  }).catch((error) => {
    if (error instanceof DataFolderInUseError) refuseInUse(error);
    fail([`cannot open the database: ${error instanceof Error ? error.message : String(error)}`]);
  });
  const applied = await migrate(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const webRoot = defaultWebRoot();
  if (!webRoot) logger.warn('web/dist not found: serving the API only (npm run build --workspace web builds the app).');
  const { app, ctx, schemas } = await buildApp({ config, database, logger, webRoot });
  await reportEmailDuplicates(ctx.users, logger);
  const created = await ctx.users.createIfAbsent({
    email: config.firstSuperuser,
    password: config.firstSuperuserPassword,
    isSuperuser: true,
    isVerified: true,
  });
  if (created) logger.info({ email: config.firstSuperuser }, 'first superuser created');
  // Not awaited: an unreachable provider is a warning and is tried again at its next sign-in.
  void ctx.providerSignIn.prepareAll(app.log);
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
  // Answering already: the routes' schemas not yet used compile now, between requests.
  void schemas.warmUp((error) => logger.error({ err: error }, 'a route schema does not compile'));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = publicUrl(config, port);
  const startupMs = Math.round(performance.now() - started);
  if (config.logFormat === 'json') {
    logger.info(
      { database: database.kind, environment: config.environment, startupMs },
      `Roster listening on ${url} (docs at ${url}/docs)`,
    );
  } else if (logger.isLevelEnabled('info')) {
    process.stdout.write(
      readyMessage({
        url,
        webApp: webRoot !== null,
        adminEmail: config.firstSuperuser,
        adminPassword: config.firstSuperuserPassword,
        adminCreated: Boolean(created),
        mailbox: config.mailMode === 'mailbox',
      }),
    );
  }
}

main().catch((error) => {
  process.stderr.write(`roster: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
