/**
 * The tables, as Drizzle sees them. Migrations in `../../migrations` are generated
 * from this file (`npm run db:generate`) and committed; they are what builds the
 * database, so keep their SQL within PostgreSQL 15.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

export const users = pgTable(
  'user',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** As the user last spelled it: shown and mailed to, never compared (see emailNormalized). */
    email: varchar('email', { length: 255 }).notNull(),
    /**
     * normalizeEmail(email) (src/users/email-address.ts): what every lookup and the
     * unique index compare. NULL only between migration 0008 and the completion of
     * its non-ASCII rows in migrate(). Unbounded: NFKC and punycode can lengthen.
     */
    emailNormalized: text('email_normalized'),
    /** 0 for the account that holds the address; 1, 2, … for accounts kept by migration 0008 that share it. */
    emailDuplicateRank: integer('email_duplicate_rank').notNull().default(0),
    hashedPassword: text('hashed_password').notNull(),
    fullName: varchar('full_name', { length: 255 }),
    isActive: boolean('is_active').notNull().default(true),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    isVerified: boolean('is_verified').notNull().default(false),
    /** The account has a second factor (migration 0010); kept by MfaService with the factor it follows. */
    mfaEnabled: boolean('mfa_enabled').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // One address is one account whatever its spelling; the index is what decides races.
    // Lookups and order_by=email walk it too (migration 0008).
    uniqueIndex('user_email_normalized_key').on(table.emailNormalized, table.emailDuplicateRank),
    // The accounts that still share an address (see emailDuplicateRank): normally none.
    index('user_email_duplicates_idx').on(table.emailNormalized).where(sql`${table.emailDuplicateRank} > 0`),
    // Ascending (migration 0002): a backward scan serves ORDER BY created_at DESC, id DESC.
    index('user_created_at_idx').on(table.createdAt, table.id),
    // Keyset pages ordered by full name (migration 0002).
    index('user_full_name_idx').on(table.fullName, table.id),
    // Substring search; created by migration 0002 only where pg_trgm is available.
    index('user_email_trgm_idx').using('gin', table.email.op('gin_trgm_ops')),
    index('user_full_name_trgm_idx').using('gin', table.fullName.op('gin_trgm_ops')),
    // The admin list's mfa=true filter: the few enrolled accounts, in the list's order (migration 0010).
    index('user_mfa_enabled_idx').on(table.mfaEnabled, table.createdAt, table.id).where(sql`${table.mfaEnabled}`),
  ],
);

/** One row: the exact number of users, kept by triggers (migration 0002) so counting all is one read. */
export const userCount = pgTable(
  'user_count',
  {
    id: boolean('id').primaryKey().default(true),
    users: bigint('users', { mode: 'number' }).notNull(),
  },
  (table) => [check('user_count_single_row', sql`${table.id}`)],
);

export const items = pgTable(
  'item',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: varchar('title', { length: 255 }).notNull(),
    description: varchar('description', { length: 255 }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Ascending (migration 0002): a backward scan serves ORDER BY created_at DESC, id DESC.
    index('item_owner_created_at_idx').on(table.ownerId, table.createdAt, table.id),
    index('item_created_at_idx').on(table.createdAt, table.id),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type ItemRow = typeof items.$inferSelect;

export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: text('message_id').notNull(),
    kind: varchar('kind', { length: 40 }).notNull(),
    toAddress: varchar('to_address', { length: 255 }).notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    status: varchar('status', { length: 16 }).$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('email_outbox_message_id_key').on(table.messageId),
    index('email_outbox_due_idx').on(table.sendAfter).where(sql`${table.status} = 'pending'`),
    index('email_outbox_created_at_idx').on(table.createdAt),
  ],
);

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'kept';
export type OutboxRow = typeof emailOutbox.$inferSelect;

export const userTokens = pgTable(
  'user_token',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: varchar('purpose', { length: 32 }).$type<TokenPurpose>().notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    email: varchar('email', { length: 255 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('user_token_hash_key').on(table.tokenHash),
    index('user_token_user_purpose_idx').on(table.userId, table.purpose, table.createdAt.desc()),
  ],
);

/** `email_restore`: sent to the old address when a user changes their email; puts it back. */
export type TokenPurpose = 'password_reset' | 'email_verification' | 'email_restore';

export const sessions = pgTable(
  'session',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When the session last proved its user's password (migration 0009); a refresh does not move it. */
    authenticatedAt: timestamp('authenticated_at', { withTimezone: true }).notNull().defaultNow(),
    /** What the sign-in proved, as RFC 8176 method references (migration 0010); a refresh keeps them. */
    amr: jsonb('amr').$type<string[]>().notNull().default(['pwd']),
    /** Authenticator assurance level: 2 when the sign-in passed a second factor. */
    aal: smallint('aal').notNull().default(1),
    userAgent: varchar('user_agent', { length: 512 }),
    ip: varchar('ip', { length: 64 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: varchar('revoked_reason', { length: 40 }),
    /** The organization the session chose (migration 0015): its access tokens carry org_id and org_role. */
    activeOrgId: uuid('active_org_id').references(() => organizations.id, { onDelete: 'set null' }),
  },
  (table) => [index('session_user_idx').on(table.userId, table.createdAt.desc())],
);

export type SessionRow = typeof sessions.$inferSelect;

export const refreshTokens = pgTable(
  'refresh_token',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [uniqueIndex('refresh_token_hash_key').on(table.tokenHash), index('refresh_token_session_idx').on(table.sessionId)],
);

export const auditEvents = pgTable(
  'audit_event',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    type: varchar('type', { length: 64 }).notNull(),
    actorId: uuid('actor_id'),
    targetId: uuid('target_id'),
    ip: varchar('ip', { length: 64 }),
    userAgent: varchar('user_agent', { length: 512 }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index('audit_event_at_idx').on(table.at.desc(), table.id.desc()),
    index('audit_event_actor_idx').on(table.actorId, table.at.desc()),
    index('audit_event_target_idx').on(table.targetId, table.at.desc()),
    index('audit_event_type_idx').on(table.type, table.at.desc()),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;

/** Rate-limit and lockout counters (migrations/0005_security.sql); used only when REDIS_URL is unset. */
export const rateLimitCounters = pgTable(
  'rate_limit_counter',
  {
    key: varchar('key', { length: 200 }).primaryKey(),
    count: integer('count').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('rate_limit_counter_expires_at_idx').on(table.expiresAt)],
);

/** A user's TOTP authenticator (migration 0010): pending until `confirmedAt`. */
export const mfaTotp = pgTable('mfa_totp', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Encrypted with SecretBox (mfa/secret-box.ts), never stored in the clear. */
  secretEncrypted: text('secret_encrypted').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  /** The last accepted time step: it and every earlier one are refused from then on. */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_code',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('mfa_recovery_code_user_idx').on(table.userId)],
);

/** `challenge`: a second factor is owed; `setup`: MFA_REQUIRED asks for one to be enrolled first. */
export type MfaTokenPurpose = 'challenge' | 'setup';

export const mfaTokens = pgTable(
  'mfa_token',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    purpose: varchar('purpose', { length: 16 }).$type<MfaTokenPurpose>().notNull(),
    /** The first factor's proof, joined to the second's when the session opens. */
    method: varchar('method', { length: 64 }).notNull(),
    amr: jsonb('amr').$type<string[]>().notNull(),
    failures: integer('failures').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('mfa_token_hash_key').on(table.tokenHash),
    index('mfa_token_user_idx').on(table.userId),
    index('mfa_token_expires_at_idx').on(table.expiresAt),
  ],
);

export type MfaTokenRow = typeof mfaTokens.$inferSelect;

export const rememberedDevices = pgTable(
  'remembered_device',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    userAgent: varchar('user_agent', { length: 512 }),
    ip: varchar('ip', { length: 64 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('remembered_device_hash_key').on(table.tokenHash),
    index('remembered_device_user_idx').on(table.userId, table.createdAt.desc()),
  ],
);

export type RememberedDeviceRow = typeof rememberedDevices.$inferSelect;
/**
 * Roles (migrations/0014_roles.sql): named sets of permission codes. Built-in roles'
 * permissions live in src/roles/catalogue.ts; their rows keep the names taken.
 */
export const roles = pgTable('role', {
  name: varchar('name', { length: 63 }).primaryKey(),
  description: varchar('description', { length: 255 }),
  permissions: text('permissions').array().notNull().default(sql`'{}'`),
  builtIn: boolean('built_in').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type RoleRow = typeof roles.$inferSelect;

/** Who holds which role; `superuser` is held through user.is_superuser instead. */
export const userRoles = pgTable(
  'user_role',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleName: varchar('role_name', { length: 63 })
      .notNull()
      .references(() => roles.name, { onDelete: 'cascade', onUpdate: 'cascade' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.roleName] }), index('user_role_role_name_idx').on(table.roleName)],
);
/** Webhook endpoints and their deliveries (migrations/0013_webhooks.sql). */
export const webhookEndpoints = pgTable('webhook_endpoint', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  description: varchar('description', { length: 500 }),
  /** `null`: every event type. */
  eventTypes: text('event_types').array(),
  enabled: boolean('enabled').notNull().default(true),
  disabledReason: varchar('disabled_reason', { length: 16 }).$type<WebhookDisabledReason>(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
  failingSince: timestamp('failing_since', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** `gone`: the receiver answered 410; `failing`: every attempt failed for days. */
export type WebhookDisabledReason = 'gone' | 'failing';
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

export const webhookDeliveries = pgTable(
  'webhook_delivery',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    messageId: varchar('message_id', { length: 64 }).notNull(),
    eventType: varchar('event_type', { length: 64 }).notNull(),
    payload: text('payload').notNull(),
    status: varchar('status', { length: 16 }).$type<WebhookDeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('webhook_delivery_due_idx').on(table.endpointId, table.seq).where(sql`${table.status} = 'pending'`),
    index('webhook_delivery_endpoint_idx').on(table.endpointId, table.createdAt.desc(), table.id.desc()),
    index('webhook_delivery_created_at_idx').on(table.createdAt),
  ],
);

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Organizations and what hangs off them (migration 0015). */
export const organizations = pgTable(
  'organization',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 255 }).notNull(),
    slug: varchar('slug', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('organization_slug_key').on(table.slug), index('organization_name_idx').on(table.name, table.id)],
);

export type OrganizationRow = typeof organizations.$inferSelect;

export const orgMembers = pgTable(
  'org_member',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 16 }).$type<OrgRole>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.userId] }), index('org_member_user_idx').on(table.userId)],
);

export type OrgMemberRow = typeof orgMembers.$inferSelect;

export const orgInvitations = pgTable(
  'org_invitation',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** As the inviter spelled it (mailed to); `emailNormalized` is what acceptance compares. */
    email: varchar('email', { length: 255 }).notNull(),
    emailNormalized: text('email_normalized').notNull(),
    role: varchar('role', { length: 16 }).$type<OrgRole>().notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('org_invitation_token_key').on(table.tokenHash),
    uniqueIndex('org_invitation_pending_key')
      .on(table.orgId, table.emailNormalized)
      .where(sql`${table.acceptedAt} IS NULL AND ${table.revokedAt} IS NULL`),
  ],
);

export type OrgInvitationRow = typeof orgInvitations.$inferSelect;

export const orgDomains = pgTable(
  'org_domain',
  {
    domain: text('domain').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('org_domain_org_idx').on(table.orgId)],
);

/** Identities at other providers linked to an account (migrations/0012_identities.sql). */
export const userIdentities = pgTable(
  'user_identity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: varchar('provider', { length: 40 }).notNull(),
    subject: varchar('subject', { length: 255 }).notNull(),
    email: varchar('email', { length: 255 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('user_identity_provider_subject_key').on(table.provider, table.subject),
    uniqueIndex('user_identity_user_provider_key').on(table.userId, table.provider),
  ],
);

export type UserIdentityRow = typeof userIdentities.$inferSelect;

/** Sign-ins under way at a provider, by the SHA-256 of their state (single use, 10 minutes). */
export const oauthFlows = pgTable(
  'oauth_flow',
  {
    stateHash: varchar('state_hash', { length: 64 }).primaryKey(),
    provider: varchar('provider', { length: 40 }).notNull(),
    redirectTo: text('redirect_to').notNull(),
    linkUserId: uuid('link_user_id').references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('oauth_flow_expires_at_idx').on(table.expiresAt)],
);

export type OAuthFlowRow = typeof oauthFlows.$inferSelect;

/** A passkey: one WebAuthn credential of a user (migration 0011). */
export const passkeys = pgTable(
  'passkey',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** base64url, as the authenticator names it; unique across users. */
    credentialId: text('credential_id').notNull(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    /** The signature counter last seen; one that goes backwards means a cloned authenticator. */
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    /** `singleDevice` (device-bound) or `multiDevice` (can be synced). */
    deviceType: varchar('device_type', { length: 16 }).notNull(),
    backedUp: boolean('backed_up').notNull(),
    aaguid: varchar('aaguid', { length: 36 }),
    name: varchar('name', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('passkey_credential_id_key').on(table.credentialId),
    index('passkey_user_idx').on(table.userId, table.createdAt),
  ],
);

export type PasskeyRow = typeof passkeys.$inferSelect;

/** What a WebAuthn challenge was issued for. */
export type ChallengePurpose = 'registration' | 'sign_in' | 'second_factor';

/** A challenge of a passkey ceremony: single-use, 5 minutes, stored as its SHA-256 (migration 0011). */
export const webauthnChallenges = pgTable(
  'webauthn_challenge',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: varchar('purpose', { length: 16 }).$type<ChallengePurpose>().notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    challengeHash: varchar('challenge_hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('webauthn_challenge_hash_key').on(table.challengeHash),
    index('webauthn_challenge_expires_at_idx').on(table.expiresAt),
  ],
);
