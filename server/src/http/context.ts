/**
 * What route modules receive: the services and settings, built once per app.
 * Routes never build SQL; services never see a request.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AuditSampler } from '../audit/sampler.js';
import type { AuditLog } from '../audit/service.js';
import type { Guards } from '../auth/guards.js';
import type { OneTimeTokens } from '../auth/one-time-tokens.js';
import type { Reauthentication } from '../auth/reauth.js';
import type { TokenService } from '../auth/tokens.js';
import type { UserCache } from '../auth/user-cache.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Mailer } from '../email/mailer.js';
import type { Outbox } from '../email/outbox.js';
import type { IdentitiesService } from '../identities/service.js';
import type { ProviderSignIn } from '../identities/sign-in.js';
import type { ItemsService } from '../items/service.js';
import type { LoginService } from '../login/service.js';
import type { MfaTokens } from '../mfa/mfa-tokens.js';
import type { RememberedDevices } from '../mfa/remembered-devices.js';
import type { MfaService } from '../mfa/service.js';
import type { ActiveOrganizations } from '../orgs/active-org.js';
import type { OrgDomains } from '../orgs/domains.js';
import type { OrgInvitations } from '../orgs/invitations.js';
import type { MembershipCache } from '../orgs/membership-cache.js';
import type { OrganizationsService } from '../orgs/service.js';
import type { ChallengeStore } from '../passkeys/challenges.js';
import type { PasskeyService } from '../passkeys/service.js';
import type { RolesService } from '../roles/service.js';
import type { TokenRoles } from '../roles/token-roles.js';
import type { BruteForceProtection } from '../security/protection.js';
import type { SessionsService } from '../sessions/service.js';
import type { SessionCache } from '../sessions/session-cache.js';
import type { AccountEmails } from '../users/account-emails.js';
import type { AccountHooks } from '../users/account-hooks.js';
import type { UsersService } from '../users/service.js';
import type { Clock } from '../utils/clock.js';
import type { WebhookEndpoints } from '../webhooks/endpoints.js';
import type { WebhookEvents } from '../webhooks/events.js';
import type { WebhookNotices } from '../webhooks/notices.js';
import type { WebhookSecretBox } from '../webhooks/sealed-secrets.js';

export interface AppContext {
  config: Config;
  /** For routes that compose several services' work into one transaction. */
  db: Database;
  clock: Clock;
  users: UsersService;
  items: ItemsService;
  tokens: TokenService;
  guards: Guards;
  /** Started and stopped by buildApp; bypassed (reads the database) while not listening. */
  userCache: UserCache;
  sessionCache: SessionCache;
  /** Sends directly (the test email); everything else goes through the outbox. */
  mailer: Mailer;
  outbox: Outbox;
  oneTimeTokens: OneTimeTokens;
  accountEmails: AccountEmails;
  sessions: SessionsService;
  /** The caller proving again who they are before a change that could take the account over. */
  reauth: Reauthentication;
  /** The one door: every sign-in path asks it whether the user may have a session now. */
  login: LoginService;
  /** Second factors: TOTP, recovery codes, an admin's reset. */
  mfa: MfaService;
  mfaTokens: MfaTokens;
  rememberedDevices: RememberedDevices;
  audit: AuditLog;
  /** Custom roles and who holds which role; the rules for changing them. */
  roles: RolesService;
  /** The role names a new access token carries (sign-in, refresh, active organization). */
  tokenRoles: TokenRoles;
  passkeys: PasskeyService;
  /** The passkey ceremonies' challenges (purged by housekeeping). */
  webauthnChallenges: ChallengeStore;
  /** Thins out the audit events anyone can cause in bulk. */
  auditSampler: AuditSampler;
  accountHooks: AccountHooks;
  orgs: OrganizationsService;
  orgInvitations: OrgInvitations;
  orgDomains: OrgDomains;
  /** The organization a session acts for, and the claim its tokens carry. */
  activeOrgs: ActiveOrganizations;
  /** Checks access tokens' organization claims; started and stopped by buildApp like the other caches. */
  membershipCache: MembershipCache;
  /** Identities at sign-in providers linked to accounts, and the linking rules. */
  identities: IdentitiesService;
  /** Sign-in (and linking) with the providers of OAUTH_PROVIDERS. */
  providerSignIn: ProviderSignIn;
  /** Rate limits and login lockout; `bruteForce.lockout.onLockTriggered(...)` reports locks. */
  bruteForce: BruteForceProtection;
  /** `webhookEvents.emit(tx, type, user, extra)`: queue a webhook event in the transaction of a change. */
  webhookEvents: WebhookEvents;
  webhooks: WebhookEndpoints;
  webhookNotices: WebhookNotices;
  /** Seals and opens the endpoints' signing secrets (key from SECRET_KEY). */
  webhookSecrets: WebhookSecretBox;
}

export type RoutePlugin = FastifyPluginAsync<{ ctx: AppContext }>;
