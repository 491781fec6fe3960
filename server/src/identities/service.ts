/**
 * Linked identities and the linking rules. A provider's sign-in becomes an
 * account here in one of four ways, and only one of them links by email:
 *
 *   1. the identity (provider + subject) is linked already: that account;
 *   2. unknown, the provider vouches for the email, and the local account with it
 *      has verified it too: linked now (audited) and that account;
 *   3. unknown, a local account has the email but one side has not verified it:
 *      nothing is linked (whoever controls an unverified address must not get the
 *      account); the owner signs in with their password and links from Settings;
 *   4. no local account: a new one without a password, verified as the provider
 *      says, unless OAUTH_SIGNUP=false.
 *
 * A signed-in user may also link a provider explicitly (`link`); the email does
 * not matter there, the session proves the account and the provider the identity.
 */
import { and, count, eq, ne } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import { hasPassword } from '../auth/passwords.js';
import { type Database, type Executor, sqlState, UNIQUE_VIOLATION } from '../db/client.js';
import { passkeys, type UserIdentityRow, type UserRow, userIdentities, users } from '../db/schema.js';
import type { AccountHooks } from '../users/account-hooks.js';
import { EmailTakenError, type UsersService } from '../users/service.js';
import type { Clock } from '../utils/clock.js';
import type { ProviderProfile } from './providers.js';

export type SignInRefusal = 'email_conflict' | 'signup_disabled' | 'no_email';

export type Resolution =
  | { kind: 'account'; user: UserRow; identityId: string; decision: 'known' | 'linked_by_email' | 'created' }
  | { kind: 'refused'; code: SignInRefusal; targetId: string | null };

export type LinkOutcome = { kind: 'linked'; identityId: string } | { kind: 'refused'; code: 'identity_taken' | 'already_linked' };

export type UnlinkOutcome = 'unlinked' | 'not_found' | 'last_method';

/** The longest email the user table holds; a provider's longer one is treated as none. */
const MAX_EMAIL = 255;

export class IdentitiesService {
  constructor(
    private readonly deps: {
      db: Database;
      users: UsersService;
      hooks: AccountHooks;
      audit: AuditLog;
      clock: Clock;
      /** OAUTH_SIGNUP */
      signup: boolean;
    },
  ) {}

  /** Which account a provider's sign-in is, by the rules above. */
  async resolve(provider: string, profile: ProviderProfile, origin: RequestOrigin): Promise<Resolution> {
    const known = await this.accountOf(provider, profile.subject);
    if (known) return { kind: 'account', ...known, decision: 'known' };
    const email = profile.email && [...profile.email].length <= MAX_EMAIL ? profile.email : null;
    const local = email ? await this.deps.users.getByEmail(email) : null;
    if (local) {
      if (!profile.emailVerified || !local.isVerified) return { kind: 'refused', code: 'email_conflict', targetId: local.id };
      return this.linkByEmail(local, provider, profile, origin);
    }
    if (!this.deps.signup) return { kind: 'refused', code: 'signup_disabled', targetId: null };
    if (!email) return { kind: 'refused', code: 'no_email', targetId: null };
    return this.createAccount(email, provider, profile, origin);
  }

  /** A signed-in user links a provider's identity to their account. */
  async link(user: UserRow, provider: string, profile: ProviderProfile, origin: RequestOrigin): Promise<LinkOutcome> {
    const [existing] = await this.deps.db
      .select()
      .from(userIdentities)
      .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, profile.subject)));
    if (existing) {
      return existing.userId === user.id
        ? { kind: 'linked', identityId: existing.id }
        : { kind: 'refused', code: 'identity_taken' };
    }
    try {
      const identityId = await this.deps.db.transaction(async (tx) => {
        const id = await this.insert(tx, user.id, provider, profile);
        await this.recordLinked(tx, { ...origin, actorId: user.id }, user.id, id, provider, 'settings');
        return id;
      });
      return { kind: 'linked', identityId };
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      // Either this account has another identity at the provider, or a concurrent link took this one.
      const again = await this.accountOf(provider, profile.subject);
      if (again?.user.id === user.id) return { kind: 'linked', identityId: again.identityId };
      return { kind: 'refused', code: again ? 'identity_taken' : 'already_linked' };
    }
  }

  /** After a sign-in with the identity: when, and the email the provider gave this time. */
  async touch(identityId: string, email: string | null): Promise<void> {
    await this.deps.db
      .update(userIdentities)
      .set({ lastUsedAt: this.deps.clock.now(), ...(email && email.length <= MAX_EMAIL ? { email } : {}) })
      .where(eq(userIdentities.id, identityId));
  }

  async list(userId: string): Promise<UserIdentityRow[]> {
    return this.deps.db
      .select()
      .from(userIdentities)
      .where(eq(userIdentities.userId, userId))
      .orderBy(userIdentities.createdAt, userIdentities.id);
  }

  /**
   * Removes one of the user's identities, unless it is their last way to sign in
   * (no password, no other identity, no passkey). The user's row is locked meanwhile, so two
   * unlinks at once cannot remove both of the last two.
   */
  async unlink(userId: string, identityId: string, origin: RequestOrigin): Promise<UnlinkOutcome> {
    return this.deps.db.transaction(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      const [identity] = user
        ? await tx
            .select()
            .from(userIdentities)
            .where(and(eq(userIdentities.id, identityId), eq(userIdentities.userId, userId)))
        : [];
      if (!user || !identity) return 'not_found';
      if (!hasPassword(user)) {
        const [others] = await tx
          .select({ n: count() })
          .from(userIdentities)
          .where(and(eq(userIdentities.userId, userId), ne(userIdentities.id, identityId)));
        const [keys] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
        if (Number(others?.n ?? 0) === 0 && Number(keys?.n ?? 0) === 0) return 'last_method';
      }
      await tx.delete(userIdentities).where(eq(userIdentities.id, identityId));
      await this.deps.audit.record(tx, origin, {
        type: 'identity.unlinked',
        targetId: userId,
        details: { provider: identity.provider, identity_id: identity.id },
      });
      return 'unlinked';
    });
  }

  private async accountOf(provider: string, subject: string): Promise<{ user: UserRow; identityId: string } | null> {
    const [row] = await this.deps.db
      .select({ user: users, identityId: userIdentities.id })
      .from(userIdentities)
      .innerJoin(users, eq(users.id, userIdentities.userId))
      .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)));
    return row ?? null;
  }

  /** Decision 2: both sides vouch for the address. */
  private async linkByEmail(
    local: UserRow,
    provider: string,
    profile: ProviderProfile,
    origin: RequestOrigin,
  ): Promise<Resolution> {
    try {
      const identityId = await this.deps.db.transaction(async (tx) => {
        const id = await this.insert(tx, local.id, provider, profile);
        await this.recordLinked(tx, { ...origin, actorId: local.id }, local.id, id, provider, 'verified_email');
        return id;
      });
      return { kind: 'account', user: local, identityId, decision: 'linked_by_email' };
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      // The same sign-in finished meanwhile (it is linked now), or the account already has another identity here.
      const again = await this.accountOf(provider, profile.subject);
      if (again) return { kind: 'account', ...again, decision: 'known' };
      return { kind: 'refused', code: 'email_conflict', targetId: local.id };
    }
  }

  /** Decision 4: a new account, its identity and its sign-up record in one transaction. */
  private async createAccount(
    email: string,
    provider: string,
    profile: ProviderProfile,
    origin: RequestOrigin,
  ): Promise<Resolution> {
    let identityId = '';
    try {
      const user = await this.deps.users.create(
        { email, password: null, fullName: profile.name?.slice(0, 255) ?? null, isVerified: profile.emailVerified },
        async (tx, created) => {
          await this.deps.hooks.signedUp(origin)(tx, created);
          identityId = await this.insert(tx, created.id, provider, profile);
          await this.recordLinked(tx, { ...origin, actorId: created.id }, created.id, identityId, provider, 'signup');
        },
      );
      return { kind: 'account', user, identityId, decision: 'created' };
    } catch (error) {
      // Someone signed up with the address meanwhile: as if they had been there first.
      if (error instanceof EmailTakenError) {
        const again = await this.accountOf(provider, profile.subject);
        if (again) return { kind: 'account', ...again, decision: 'known' };
        const local = await this.deps.users.getByEmail(email);
        return { kind: 'refused', code: 'email_conflict', targetId: local?.id ?? null };
      }
      throw error;
    }
  }

  private async insert(tx: Executor, userId: string, provider: string, profile: ProviderProfile): Promise<string> {
    const [row] = await tx
      .insert(userIdentities)
      .values({
        userId,
        provider,
        subject: profile.subject,
        email: profile.email && profile.email.length <= MAX_EMAIL ? profile.email : null,
        lastUsedAt: this.deps.clock.now(),
      })
      .returning({ id: userIdentities.id });
    return (row as { id: string }).id;
  }

  private recordLinked(
    tx: Executor,
    origin: RequestOrigin,
    userId: string,
    identityId: string,
    provider: string,
    via: 'verified_email' | 'signup' | 'settings',
  ) {
    return this.deps.audit.record(tx, origin, {
      type: 'identity.linked',
      targetId: userId,
      details: { provider, identity_id: identityId, via },
    });
  }
}
