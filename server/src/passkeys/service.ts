/**
 * Passkeys: Roster's rules around the WebAuthn ceremonies. A challenge is used up
 * before its answer is checked (a failed answer cannot be retried with it); a
 * credential belongs to one account; a genuine signature whose counter did not move
 * forward is a cloned authenticator and refuses the sign-in. Every change is audited
 * and mailed to the owner in its own transaction.
 */
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Database, Executor } from '../db/client.js';
import type { ChallengePurpose, PasskeyRow, UserRow } from '../db/schema.js';
import type { Outbox } from '../email/outbox.js';
import { type BrandInfo, passkeyAddedNotice, passkeyRemovedNotice } from '../email/templates.js';
import type { UsersService } from '../users/service.js';
import type { Clock } from '../utils/clock.js';
import {
  type AuthenticationResponseJSON,
  CeremonyError,
  challengeOf,
  type RegistrationResponseJSON,
  type RelyingParty,
  userHandleOf,
} from './ceremonies.js';
import type { ChallengeBinding, ChallengeStore } from './challenges.js';
import { isDuplicateCredential, type PasskeyStore } from './credentials.js';

export const MAX_PASSKEYS_PER_USER = 10;

/** A passkey with user verification proves possession of a device and the person at it: two factors. */
export const PASSKEY_AMR = ['hwk', 'user'];

export type PasskeyRefusalReason =
  /** No such challenge for this ceremony and account: unknown, used, expired, or issued to someone else. */
  | 'challenge'
  /** The credential is not registered (removed, never was) or belongs to another account. */
  | 'unknown_credential'
  /** The library refused the response: origin, RP ID, signature, user verification… */
  | 'not_verified'
  | 'clone_suspected'
  | 'limit'
  | 'duplicate';

export class PasskeyRefused extends Error {
  constructor(readonly reason: PasskeyRefusalReason) {
    super(`passkey refused: ${reason}`);
    this.name = 'PasskeyRefused';
  }
}

type Stage = 'registration' | 'sign_in' | 'second_factor';

export class PasskeyService {
  constructor(
    private readonly deps: {
      db: Database;
      clock: Clock;
      relyingParty: RelyingParty;
      challenges: ChallengeStore;
      store: PasskeyStore;
      audit: AuditLog;
      outbox: Outbox;
      brand: BrandInfo;
      /** False when mail is off: the notices are not written. */
      mailEnabled: boolean;
      users: UsersService;
      /** Called in the transaction that added or removed a passkey: `mfa_enabled` follows (MfaService.factorsChanged). */
      factorsChanged: (tx: Executor, userId: string) => Promise<boolean>;
      /** Called with a user whose row changed (mfa_enabled), so this process's cache forgets it at once. */
      onUserChanged: (id: string) => void;
    },
  ) {}

  list(userId: string): Promise<PasskeyRow[]> {
    return this.deps.store.list(userId);
  }

  count(userId: string): Promise<number> {
    return this.deps.store.count(userId);
  }

  /** Creation options for a new passkey of `user` (who has just re-authenticated). */
  async registrationOptions(user: UserRow) {
    const existing = await this.deps.store.list(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) throw new PasskeyRefused('limit');
    const options = await this.deps.relyingParty.creationOptions(user, existing);
    await this.deps.challenges.remember('registration', user.id, options.challenge);
    return options;
  }

  /** Verifies the browser's registration response and stores the passkey as `name`. */
  async register(user: UserRow, name: string, response: RegistrationResponseJSON, origin: RequestOrigin): Promise<PasskeyRow> {
    const { db, store, audit, clock } = this.deps;
    const refuse = (reason: PasskeyRefusalReason, check?: string) =>
      this.refuse('registration', reason, origin, user.id, check ? { check } : {});
    await this.useChallenge('registration', response, { userId: user.id }, refuse);
    let credential: Awaited<ReturnType<RelyingParty['verifyRegistration']>>;
    try {
      credential = await this.deps.relyingParty.verifyRegistration(response, challengeOf(response) as string);
    } catch (error) {
      if (error instanceof CeremonyError) return refuse('not_verified', error.message);
      throw error;
    }
    try {
      const added = await db.transaction(async (tx) => {
        await store.lockUser(tx, user.id);
        if ((await store.count(user.id, tx)) >= MAX_PASSKEYS_PER_USER) throw new PasskeyRefused('limit');
        const passkey = await store.insert(tx, user.id, name, credential, clock.now());
        // A passkey is a second factor: from now on a password alone no longer signs in.
        await this.deps.factorsChanged(tx, user.id);
        await audit.record(tx, origin, {
          type: 'passkey.registered',
          targetId: user.id,
          details: { passkey_id: passkey.id, name, device_type: passkey.deviceType, backed_up: passkey.backedUp },
        });
        if (this.deps.mailEnabled) {
          await this.deps.outbox.enqueue(tx, 'passkey_added', user.email, passkeyAddedNotice(this.deps.brand, user.email, name));
        }
        return passkey;
      });
      this.deps.onUserChanged(user.id);
      return added;
    } catch (error) {
      if (error instanceof PasskeyRefused) return refuse(error.reason);
      if (isDuplicateCredential(error)) return refuse('duplicate');
      throw error;
    }
  }

  rename(userId: string, id: string, name: string): Promise<PasskeyRow | null> {
    return this.deps.store.rename(userId, id, name);
  }

  /** Removes one of `owner`'s passkeys (by them, or by an administrator); `null` if there is no such passkey. */
  async remove(owner: UserRow, id: string, origin: RequestOrigin, byAdmin: boolean): Promise<PasskeyRow | null> {
    const removed = await this.deps.db.transaction(async (tx) => {
      const removed = await this.deps.store.remove(tx, owner.id, id);
      if (!removed) return null;
      const mfaStillOn = await this.deps.factorsChanged(tx, owner.id);
      await this.deps.audit.record(tx, origin, {
        type: 'passkey.removed',
        targetId: owner.id,
        details: { passkey_id: removed.id, name: removed.name, by_admin: byAdmin, mfa_enabled: mfaStillOn },
      });
      if (this.deps.mailEnabled) {
        await this.deps.outbox.enqueue(
          tx,
          'passkey_removed',
          owner.email,
          passkeyRemovedNotice(this.deps.brand, owner.email, removed.name, byAdmin),
        );
      }
      return removed;
    });
    if (removed) this.deps.onUserChanged(owner.id);
    return removed;
  }

  /** Options for a sign-in where nobody is known yet: the browser offers the site's passkeys. */
  async signInOptions() {
    const options = await this.deps.relyingParty.requestOptions([]);
    const challengeId = await this.deps.challenges.remember('sign_in', null, options.challenge);
    return { challengeId, options };
  }

  /** The user a sign-in with a passkey alone proves (the door then decides); throws PasskeyRefused if none. */
  async verifySignIn(challengeId: string, response: AuthenticationResponseJSON, origin: RequestOrigin): Promise<UserRow> {
    return (await this.assert('sign_in', { challengeId }, response, origin)).user;
  }

  /** Options for `user`'s own passkeys, for the second step of a sign-in or a step-up. */
  async secondFactorOptions(user: UserRow) {
    const existing = await this.deps.store.list(user.id);
    if (existing.length === 0) throw new PasskeyRefused('unknown_credential');
    const options = await this.deps.relyingParty.requestOptions(existing);
    await this.deps.challenges.remember('second_factor', user.id, options.challenge);
    return options;
  }

  /** Whether `response` is a genuine assertion by one of `user`'s passkeys; throws PasskeyRefused if not. */
  async verifySecondFactor(user: UserRow, response: AuthenticationResponseJSON, origin: RequestOrigin): Promise<PasskeyRow> {
    const { passkey } = await this.assert('second_factor', { userId: user.id }, response, origin, user.id);
    return passkey;
  }

  /**
   * The assertion checks shared by both uses: the challenge (used up first), the
   * credential and its owner, the signature, then the counter.
   */
  private async assert(
    purpose: Extract<ChallengePurpose, 'sign_in' | 'second_factor'>,
    binding: ChallengeBinding,
    response: AuthenticationResponseJSON,
    origin: RequestOrigin,
    expectedUserId?: string,
  ): Promise<{ user: UserRow; passkey: PasskeyRow }> {
    const { store, audit, clock, db } = this.deps;
    const refuse = (reason: PasskeyRefusalReason, targetId: string | null, details: Record<string, unknown> = {}) =>
      this.refuse(purpose, reason, origin, targetId, details);
    await this.useChallenge(purpose, response, binding, (reason) => refuse(reason, expectedUserId ?? null));

    const passkey = typeof response.id === 'string' ? await store.byCredentialId(response.id) : null;
    const handle = response.response?.userHandle;
    if (
      !passkey ||
      (expectedUserId !== undefined && passkey.userId !== expectedUserId) ||
      (handle !== undefined && handle !== userHandleOf(passkey.userId))
    ) {
      return refuse('unknown_credential', expectedUserId ?? null);
    }
    const user = await this.deps.users.getById(passkey.userId);
    if (!user) return refuse('unknown_credential', null);

    let assertion: Awaited<ReturnType<RelyingParty['verifyAssertion']>>;
    try {
      assertion = await this.deps.relyingParty.verifyAssertion(response, challengeOf(response) as string, passkey);
    } catch (error) {
      if (error instanceof CeremonyError)
        return refuse('not_verified', user.id, { passkey_id: passkey.id, check: error.message });
      throw error;
    }
    // Authenticators that keep no counter always say 0; one that does must say more each time.
    if ((assertion.counter > 0 || passkey.counter > 0) && assertion.counter <= passkey.counter) {
      await audit.record(
        db,
        { ...origin, actorId: null },
        {
          type: 'passkey.clone_suspected',
          targetId: user.id,
          details: { passkey_id: passkey.id, stored_counter: passkey.counter, received_counter: assertion.counter },
        },
      );
      return refuse('clone_suspected', user.id, { passkey_id: passkey.id });
    }
    const recorded = await db.transaction(async (tx) => {
      // Another use with the same counter got there first: this one is a replay of it.
      if (!(await store.recordUse(tx, passkey, assertion, clock.now()))) return false;
      await audit.record(
        tx,
        { ...origin, actorId: user.id },
        {
          type: 'passkey.signed_in',
          targetId: user.id,
          details: { passkey_id: passkey.id, as: purpose },
        },
      );
      return true;
    });
    if (!recorded) return refuse('clone_suspected', user.id, { passkey_id: passkey.id });
    return { user, passkey };
  }

  /** Uses up the challenge `response` answers, or refuses. */
  private async useChallenge(
    purpose: ChallengePurpose,
    response: RegistrationResponseJSON | AuthenticationResponseJSON,
    binding: ChallengeBinding,
    refuse: (reason: PasskeyRefusalReason) => Promise<never>,
  ): Promise<void> {
    const challenge = challengeOf(response);
    if (!challenge || !(await this.deps.challenges.consume(purpose, challenge, binding))) await refuse('challenge');
  }

  private async refuse(
    stage: Stage,
    reason: PasskeyRefusalReason,
    origin: RequestOrigin,
    targetId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<never> {
    await this.deps.audit.record(this.deps.db, origin, {
      type: 'passkey.failed',
      targetId,
      details: { stage, reason, ...details },
    });
    throw new PasskeyRefused(reason);
  }
}
