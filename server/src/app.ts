/**
 * Builds the Fastify application from its parts. No I/O happens here beyond what
 * the caller hands in (an open database, a mailer), so tests build apps freely.
 */
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { auditRoutes } from './audit/routes.js';
import { AuditSampler } from './audit/sampler.js';
import { AuditLog } from './audit/service.js';
import { createGuards } from './auth/guards.js';
import { OneTimeTokens } from './auth/one-time-tokens.js';
import { PasswordHasher } from './auth/passwords.js';
import { Reauthentication } from './auth/reauth.js';
import { TokenService } from './auth/tokens.js';
import { UserCache } from './auth/user-cache.js';
import type { Config } from './config.js';
import type { DbHandle } from './db/client.js';
import { GroupCommit } from './db/group-commit.js';
import { createMailer, type Mailer } from './email/mailer.js';
import { OUTBOX_CHANNEL, Outbox } from './email/outbox.js';
import { defaultWorkerOptions, EmailWorker, type WorkerOptions } from './email/worker.js';
import type { AppContext } from './http/context.js';
import { installErrorHandling } from './http/error-handling.js';
import { installFormBodyParser } from './http/form-body.js';
import { installJsonBodyParser } from './http/json-body.js';
import { LazySchemas } from './http/lazy-schemas.js';
import { installLocalHostCheck } from './http/local-only.js';
import { ErrorDetail, Message, UserPublic, ValidationErrorBody } from './http/schemas.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { validatorCompiler } from './http/validation.js';
import { FlowStore } from './identities/flows.js';
import { identitiesRoutes } from './identities/routes.js';
import { IdentitiesService } from './identities/service.js';
import { ProviderSignIn } from './identities/sign-in.js';
import { ItemPublic, itemsRoutes } from './items/routes.js';
import { ItemsService } from './items/service.js';
import { installRequestLogging } from './logging.js';
import { loginRoutes } from './login/routes.js';
import { LoginService } from './login/service.js';
import { MfaTokens } from './mfa/mfa-tokens.js';
import { RememberedDevices } from './mfa/remembered-devices.js';
import { mfaRoutes } from './mfa/routes.js';
import { RecoveryCodes, TotpEnrolmentPublic } from './mfa/schemas.js';
import { MFA_SECRET_CONTEXT, SecretBox } from './mfa/secret-box.js';
import { MfaService } from './mfa/service.js';
import { ActiveOrganizations } from './orgs/active-org.js';
import { OrgDomains } from './orgs/domains.js';
import { OrgInvitations } from './orgs/invitations.js';
import { MembershipCache } from './orgs/membership-cache.js';
import { orgsRoutes } from './orgs/routes.js';
import { OrganizationsService } from './orgs/service.js';
import { RelyingParty } from './passkeys/ceremonies.js';
import { ChallengeStore } from './passkeys/challenges.js';
import { PasskeyStore } from './passkeys/credentials.js';
import { passkeyRoutes } from './passkeys/routes.js';
import { PasskeyService } from './passkeys/service.js';
import { announceDevMailbox, mailpitRoutes } from './private/mailpit.js';
import { privateRoutes } from './private/routes.js';
import { accessOf } from './roles/access.js';
import { installRoutePermissions, type RouteAccess } from './roles/route-permissions.js';
import { rolesRoutes } from './roles/routes.js';
import { RolesService } from './roles/service.js';
import { cachedTokenRoles } from './roles/token-roles.js';
import { installBruteForceProtection } from './security/hooks.js';
import { fastifyTrustProxy } from './security/keys.js';
import { createBruteForceProtection } from './security/protection.js';
import { sessionsRoutes } from './sessions/routes.js';
import { SessionsService } from './sessions/service.js';
import { SessionCache } from './sessions/session-cache.js';
import { AccountEmails } from './users/account-emails.js';
import { AccountHooks } from './users/account-hooks.js';
import { RecentSignIn } from './users/recent-sign-in.js';
import { usersRoutes } from './users/routes.js';
import { UsersService } from './users/service.js';
import { type Clock, systemClock } from './utils/clock.js';
import { utilsRoutes } from './utils/routes.js';
import { registerWebApp } from './web/static.js';
import { webhooksForAuditedEvents } from './webhooks/audited-events.js';
import { WebhookEndpoints } from './webhooks/endpoints.js';
import { WebhookEvents } from './webhooks/events.js';
import { WebhookNotices } from './webhooks/notices.js';
import { DeliveryQueue } from './webhooks/queue.js';
import { webhooksRoutes } from './webhooks/routes.js';
import { sealClearSecrets } from './webhooks/seal-clear-secrets.js';
import { WebhookSecretBox } from './webhooks/sealed-secrets.js';
import { defaultWebhookWorkerOptions, WEBHOOK_CHANNEL, WebhookWorker, type WebhookWorkerOptions } from './webhooks/worker.js';

export const API_PREFIX = '/api/v1';
const BODY_LIMIT = 1024 * 1024;

export interface AppDependencies {
  config: Config;
  database: DbHandle;
  mailer?: Mailer;
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** Overrides for the outbox worker (tests use short retry delays); `false` keeps it from starting. */
  emailWorker?: Partial<WorkerOptions> | false;
  /** Told the number of sign-ins each statement of their group commit writes; may hold it back (tests). */
  onSignInStatement?: (signIns: number) => void | Promise<void>;
  /** Told the number of refreshes each statement of their group commit serves; may hold it back (tests). */
  onRefreshStatement?: (refreshes: number) => void | Promise<void>;
  /** Overrides for the webhook delivery worker (tests fix the jitter); `false` keeps it from starting. */
  webhookWorker?: Partial<WebhookWorkerOptions> | false;
  /** Built web app to serve at `/` (web/dist); without it only the API is served. */
  webRoot?: string | null;
}

export interface RosterApp {
  app: FastifyInstance;
  ctx: AppContext;
  /** Every route with the permission it declares (roles/route-permissions.ts). */
  routeAccess: RouteAccess[];
  /** Delivers webhooks in the background; `null` when not started (tests may `wake()` it). */
  webhookWorker: WebhookWorker | null;
  /** The routes' validators and serializers, compiled on first use; `warmUp` compiles the rest when idle. */
  schemas: LazySchemas;
}

export function createContext(deps: AppDependencies): AppContext {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const hasher = new PasswordHasher(config.argon2);
  const oneTimeTokens = new OneTimeTokens(clock, config.emailResetTokenExpireHours);
  const users = new UsersService(database.db, hasher, oneTimeTokens);
  const tokens = new TokenService(config.secretKey, config.accessTokenExpireMinutes, clock);
  const outbox = new Outbox(database.db, {
    keepOnly: config.mailMode === 'mailbox',
    messageIdDomain: config.smtp?.fromEmail.split('@')[1] ?? 'roster.localhost',
    clock,
  });
  const brand = { projectName: config.projectName, frontendHost: config.frontendHost };
  const sessions = new SessionsService(database.db, clock, config.refreshTokenExpireDays, {
    maxDays: config.sessionMaxDays,
    secretKey: config.secretKey,
    groupCommit: { windowMs: config.signInGroupCommitMs, onStatement: deps.onRefreshStatement },
  });
  const audit = new AuditLog(database.db, clock);
  const accountEmails = new AccountEmails(
    database.db,
    outbox,
    oneTimeTokens,
    brand,
    config.emailResetTokenExpireHours,
    clock,
    config.mailMode !== 'off',
    config.emailVerificationOnSignup,
  );
  const roles = new RolesService(database.db, audit);
  const userCache = new UserCache(async (id) => {
    const [user, held] = await Promise.all([users.getById(id), roles.heldRoles([id])]);
    return user && { ...user, ...accessOf(user, held.get(id) ?? []) };
  });
  users.onUserChanged = (id) => userCache.invalidate(id);
  const tokenRoles = cachedTokenRoles(userCache, roles);
  const mfaTokens = new MfaTokens(clock);
  const rememberedDevices = new RememberedDevices(clock, config.mfaRememberDays);
  const mfa = new MfaService({
    db: database.db,
    clock,
    box: new SecretBox(config.secretKey, MFA_SECRET_CONTEXT),
    tokens: mfaTokens,
    devices: rememberedDevices,
    sessions,
    audit,
    emails: accountEmails,
    issuer: config.projectName,
    onUserChanged: (id) => userCache.invalidate(id),
  });
  roles.onUsersChanged = (ids) => {
    if (ids === 'all') userCache.clear();
    else for (const id of ids) userCache.invalidate(id);
  };
  const sessionCache = new SessionCache((id) => sessions.state(id));
  const bruteForce = createBruteForceProtection(config, database.db);
  sessions.onSessionsChanged = (ids) => {
    for (const id of ids) sessionCache.invalidate(id);
  };
  const webhookEvents = new WebhookEvents(clock);
  const webhookSecrets = new WebhookSecretBox(config.secretKey);
  users.events = webhookEvents;
  audit.onRecorded = webhooksForAuditedEvents(webhookEvents);
  sessions.onRevokedAll = (tx, userId, reason, ended) => webhookEvents.sessionsRevoked(tx, userId, reason, ended);
  const orgs = new OrganizationsService(database.db, audit, clock, config.orgCreation);
  const membershipCache = new MembershipCache(async (orgId, userId) => {
    const role = await orgs.memberRole(database.db, orgId, userId);
    return role ? { role } : null;
  });
  orgs.onMembershipChanged = (orgId, userId) => membershipCache.forget(orgId, userId);
  const orgDomains = new OrgDomains(database.db, orgs, audit, clock);
  const joinByDomain = orgDomains.joinByDomain.bind(orgDomains);
  const passkeyStore = new PasskeyStore(database.db);
  const webauthnChallenges = new ChallengeStore(database.db, clock);
  const passkeys = new PasskeyService({
    db: database.db,
    clock,
    relyingParty: new RelyingParty(config.webauthn),
    challenges: webauthnChallenges,
    store: passkeyStore,
    audit,
    outbox,
    brand,
    mailEnabled: config.mailMode !== 'off',
    users,
    factorsChanged: (tx, userId) => mfa.factorsChanged(tx, userId),
    onUserChanged: (id) => userCache.invalidate(id),
  });
  // Passkeys are a second factor, offered first: the one a phishing page cannot relay.
  mfa.factors.unshift({
    name: 'passkey',
    enablesMfa: true,
    enrolled: async (tx, userId) => (await passkeyStore.count(userId, tx)) > 0,
  });
  mfa.countPasskeys = (tx, userId) => passkeyStore.count(userId, tx);
  const login = new LoginService({
    db: database.db,
    config,
    users,
    sessions,
    audit,
    mfa,
    mfaTokens,
    devices: rememberedDevices,
    passkeys,
    tokenRoles,
    writes: new GroupCommit(database.db, { windowMs: config.signInGroupCommitMs, onStatement: deps.onSignInStatement }),
  });
  const accountHooks = new AccountHooks(accountEmails, audit, sessions, rememberedDevices, joinByDomain);
  const auditSampler = new AuditSampler(bruteForce.store, clock);
  const identities = new IdentitiesService({
    db: database.db,
    users,
    hooks: accountHooks,
    audit,
    clock,
    signup: config.oauth.signup,
  });
  const providerSignIn = new ProviderSignIn(config.oauth, {
    db: database.db,
    flows: new FlowStore(database.db, clock, config.secretKey),
    identities,
    login,
    users,
    audit,
    auditSampler,
    apiPrefix: API_PREFIX,
  });
  return {
    config,
    db: database.db,
    clock,
    users,
    items: new ItemsService(database.db),
    tokens,
    oneTimeTokens,
    userCache,
    tokenRoles,
    sessionCache,
    guards: createGuards(tokens, userCache, sessionCache, clock, membershipCache),
    sessions,
    audit,
    roles,
    login,
    reauth: new Reauthentication({
      db: database.db,
      audit,
      users,
      mfa,
      recentSignIn: new RecentSignIn(sessions, clock, config.reauthWindowMinutes),
    }),
    passkeys,
    webauthnChallenges,
    accountHooks,
    identities,
    providerSignIn,
    mfa,
    mfaTokens,
    rememberedDevices,
    orgs,
    orgDomains,
    orgInvitations: new OrgInvitations({
      db: database.db,
      orgs,
      outbox,
      audit,
      clock,
      brand,
      validDays: config.orgInvitationDays,
      mailEnabled: config.mailMode !== 'off',
      onUserVerified: (id) => userCache.invalidate(id),
      userChanged: (tx, before, after) => users.events.updated(tx, before, after),
      joinByDomain,
    }),
    activeOrgs: new ActiveOrganizations(database.db, orgs, sessions),
    membershipCache,
    mailer: deps.mailer ?? createMailer(config.smtp),
    outbox,
    accountEmails,
    bruteForce,
    auditSampler,
    webhookEvents,
    webhooks: new WebhookEndpoints(
      database.db,
      clock,
      webhookEvents,
      { allowPrivate: config.webhooks.allowPrivateTargets },
      webhookSecrets,
      audit,
    ),
    webhookNotices: new WebhookNotices(outbox, brand, config.mailMode !== 'off'),
    webhookSecrets,
  };
}

export async function buildApp(deps: AppDependencies): Promise<RosterApp> {
  const ctx = createContext(deps);
  const { database } = deps;
  await ctx.userCache.start(database);
  await ctx.sessionCache.start(database);
  await ctx.membershipCache.start(database);
  const schemas = new LazySchemas();
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // Per-request lines are written by installRequestLogging, at debug (see logging.ts).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 1024 },
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    // Given as the factory, not with setValidatorCompiler: a plugin that adds a schema
    // (audit, sessions) otherwise gets Fastify's own Ajv, with none of the rules here.
    // (Fastify types the factory for its own Ajv compiler; ours has the same call shape.)
    // Both compile lazily (http/lazy-schemas.ts): start-up does not wait for some 250 routes' schemas.
    schemaController: {
      compilersFactory: {
        buildValidator: schemas.validatorFactory(validatorCompiler),
        buildSerializer: schemas.serializerFactory(),
      },
    },
  });
  installJsonBodyParser(app);
  // The contract's two OAuth2 token routes take a form, and so do the password login's second-factor steps (the
  // second step itself and the enrolment MFA_REQUIRED asks for).
  installFormBodyParser(app, [
    `${API_PREFIX}/login/access-token`,
    `${API_PREFIX}/login/refresh-token`,
    `${API_PREFIX}/login/mfa`,
    `${API_PREFIX}/login/mfa/enroll`,
    `${API_PREFIX}/login/mfa/enroll/confirm`,
  ]);
  installErrorHandling(app);
  installRequestLogging(app);
  installLocalHostCheck(app, ctx.config);
  installBruteForceProtection(app, ctx.bruteForce, ctx.clock);
  ctx.bruteForce.lockout.onLockTriggered(async (lock) => {
    const target = await ctx.users.getByEmail(lock.username);
    // Wrong codes at a login's second step lock the login, as wrong passwords do.
    const isLogin = lock.purpose === 'login' || lock.purpose === 'second_factor';
    const details = { scope: lock.scope, username: lock.username, failures: lock.failures, lock_seconds: lock.lockSeconds };
    await ctx.audit.record(
      ctx.db,
      // A change's current password is checked for a signed-in caller: the account's owner, or whoever holds its session.
      { actorId: isLogin ? null : (target?.id ?? null), ip: lock.ip, userAgent: lock.userAgent },
      isLogin
        ? { type: 'login.locked', targetId: target?.id ?? null, details }
        : { type: 'reauth.locked', targetId: target?.id ?? null, details: { ...details, action: lock.purpose } },
    );
  });
  ctx.bruteForce.onRateLimited(async (refusal) => {
    if (!(await ctx.auditSampler.allow('rate_limit.refused'))) return;
    await ctx.audit.record(
      ctx.db,
      { actorId: refusal.userId, ip: refusal.ip, userAgent: refusal.userAgent },
      { type: 'rate_limit.refused', targetId: refusal.userId, details: { limits: refusal.limits } },
    );
  });

  const routeAccess = installRoutePermissions(app, ctx.guards);
  // Shared by several route modules (the enrolment shapes by /users/me/mfa and the login's MFA_REQUIRED enrolment).
  for (const schema of [UserPublic, ItemPublic, Message, ErrorDetail, ValidationErrorBody, TotpEnrolmentPublic, RecoveryCodes]) {
    app.addSchema(schema);
  }

  installSecurityHeaders(app, {
    // The interactive docs load their own script and styles from /docs.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        // Roster is often reached over plain HTTP on a LAN address in development; upgrading would break it.
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cors, {
    origin: ctx.config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: ctx.config.projectName,
        version: '0.1.0',
        description: 'User registration and management, compatible with the full-stack FastAPI template /api/v1.',
      },
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: {
            type: 'oauth2',
            flows: { password: { tokenUrl: `${API_PREFIX}/login/access-token`, scopes: {} } },
          },
        },
      },
    },
    hideUntagged: true,
    transformObject: (document) =>
      withDefaultsOptional('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: false } });

  const options = { ctx, prefix: API_PREFIX };
  await app.register(loginRoutes, options);
  await app.register(usersRoutes, options);
  await app.register(itemsRoutes, options);
  await app.register(utilsRoutes, options);
  await app.register(sessionsRoutes, options);
  await app.register(mfaRoutes, options);
  await app.register(auditRoutes, options);
  await app.register(rolesRoutes, options);
  await app.register(webhooksRoutes, options);
  await app.register(orgsRoutes, options);
  await app.register(identitiesRoutes, options);
  await app.register(passkeyRoutes, options);
  if (ctx.config.environment === 'local') {
    await app.register(privateRoutes, options);
    // Outside /api/v1: the dev mailbox's Mailpit-compatible API lives beside the web app's /dev/mailbox page.
    await app.register(mailpitRoutes, { ctx });
    announceDevMailbox(app);
  }

  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  if (deps.webRoot) await registerWebApp(app, deps.webRoot);

  if (ctx.config.mailMode === 'smtp' && deps.emailWorker !== false) {
    const worker = new EmailWorker(
      ctx.outbox,
      ctx.mailer,
      ctx.clock,
      app.log,
      {
        ...defaultWorkerOptions,
        retentionDays: ctx.config.emailRetentionDays,
        ...deps.emailWorker,
      },
      (handlers) => database.listen(OUTBOX_CHANNEL, handlers),
      (before) => ctx.oneTimeTokens.purge(database.db, before),
    );
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
  }
  installWebhookSecretSealing(app, ctx);
  const webhookWorker = deps.webhookWorker === false ? null : startWebhookWorker(app, ctx, database, deps.webhookWorker);
  installHousekeeping(app, ctx);
  app.addHook('onClose', async () => {
    await ctx.accountEmails.drain();
    await ctx.userCache.stop();
    await ctx.sessionCache.stop();
    await ctx.membershipCache.stop();
    await ctx.mailer.close();
  });
  return { app, ctx, routeAccess, webhookWorker, schemas };
}

/** Every process delivers webhooks; on the embedded database it is the only one, so leases left are a dead run's. */
function startWebhookWorker(
  app: FastifyInstance,
  ctx: AppContext,
  database: DbHandle,
  overrides: Partial<WebhookWorkerOptions> = {},
): WebhookWorker {
  const queue = new DeliveryQueue(database.db, ctx.clock);
  const worker = new WebhookWorker(
    queue,
    { allowPrivate: ctx.config.webhooks.allowPrivateTargets },
    ctx.webhookSecrets,
    ctx.clock,
    app.log,
    {
      ...defaultWebhookWorkerOptions,
      timeoutMs: ctx.config.webhooks.timeoutSeconds * 1000,
      retentionDays: ctx.config.webhooks.retentionDays,
      ...overrides,
    },
    async (tx, endpoint) => {
      await ctx.webhooks.recordDisabled(tx, endpoint);
      if (endpoint.disabledReason === 'failing') await ctx.webhookNotices.disabledForFailing(tx, endpoint);
    },
    (handlers) => database.listen(WEBHOOK_CHANNEL, handlers),
  );
  app.addHook('onReady', async () => {
    if (database.kind === 'pglite') await queue.releaseAllLeases();
    await worker.start();
  });
  app.addHook('onClose', async () => worker.stop());
  return worker;
}

/**
 * Before the worker starts: seals the signing secrets a database from before sealing still
 * holds in clear (see seal-clear-secrets.ts), and says which endpoints' secrets this
 * SECRET_KEY cannot open (their deliveries are not sent). Names endpoints, never secrets.
 */
function installWebhookSecretSealing(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onReady', async () => {
    const report = await sealClearSecrets(ctx.db, ctx.webhookSecrets);
    if (report.sealed > 0) app.log.info(`sealed ${report.sealed} webhook signing secrets stored in clear`);
    if (report.unreadable.length > 0) {
      app.log.error(
        { webhooks: report.unreadable },
        `the signing secrets of ${report.unreadable.length} webhook endpoints cannot be decrypted with this SECRET_KEY: ` +
          'their deliveries are not sent until the key they were sealed with is restored or their secrets are rotated',
      );
    }
  });
}

const HOUSEKEEPING_EVERY_MS = 3600_000;

/**
 * Hourly: delete ended sessions, spent or expired MFA tokens, expired remembered devices and passkey challenges,
 * finished sign-in flows, and audit events past their retention.
 */
function installHousekeeping(app: FastifyInstance, ctx: AppContext): void {
  let timer: NodeJS.Timeout | null = null;
  const run = async () => {
    const now = ctx.clock.now().getTime();
    try {
      await ctx.sessions.purge(new Date(now - 86_400_000));
      await ctx.audit.purge(new Date(now - ctx.config.auditRetentionDays * 86_400_000));
      await ctx.mfaTokens.purge(ctx.db, new Date(now - 86_400_000));
      await ctx.rememberedDevices.purge(ctx.db, new Date(now));
      await ctx.providerSignIn.purgeFlows(new Date(now));
      await ctx.webauthnChallenges.purge(new Date(now));
    } catch (error) {
      app.log.warn({ err: error }, 'housekeeping failed');
    }
  };
  app.addHook('onReady', async () => {
    timer = setInterval(run, HOUSEKEEPING_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}

/**
 * A field with a default may be omitted, but TypeBox lists it as required (Ajv
 * fills it in before the handler runs). The document tells clients the truth.
 */
function withDefaultsOptional<T>(document: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const schema = node as { required?: unknown; properties?: Record<string, { default?: unknown }> };
    if (Array.isArray(schema.required) && schema.properties) {
      const properties = schema.properties;
      schema.required = schema.required.filter((name) => properties[name]?.default === undefined);
      if ((schema.required as unknown[]).length === 0) delete schema.required;
    }
    // Query parameters: OpenAPI lists them one by one, each with its own `required`.
    const parameter = node as { in?: string; required?: unknown; schema?: { default?: unknown } };
    if (parameter.in && parameter.required === true && parameter.schema?.default !== undefined) parameter.required = false;
    Object.values(node).forEach(visit);
  };
  visit(document);
  return document;
}
