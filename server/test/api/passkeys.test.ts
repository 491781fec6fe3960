/**
 * Passkeys (issue 14): registration, management, the sign-in without a password and
 * the administrator's view, driven by a software authenticator (ES256, `none`
 * attestation) against the relying party of the test settings: RP ID `localhost`,
 * origin http://localhost:5173.
 */
import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, passkeys } from '../../src/db/schema.js';
import { ManualClock } from '../../src/utils/clock.js';
import { type TestApp, useTestApp } from '../helpers/app.js';
import { type Bend, SoftwareAuthenticator } from '../helpers/software-authenticator.js';

const ORIGIN = 'http://localhost:5173';
type Auth = Record<string, string>;

const clock = new ManualClock(new Date('2031-03-01T09:00:00Z'));
const app = useTestApp({ clock });

/**
 * Creation options for a new passkey, confirmed with the password and, once the user has a
 * passkey (MFA is then on), with one of `authenticator`'s passkeys as the second factor.
 */
async function registrationOptions(t: TestApp, auth: Auth, password: string, authenticator?: SoftwareAuthenticator) {
  let passkey: unknown;
  if (authenticator && authenticator.credentials.length > 0) {
    const stepUp = await t.request({ method: 'POST', url: '/api/v1/users/me/passkeys/step-up-options', headers: auth });
    if (stepUp.statusCode === 200) passkey = authenticator.authenticate(stepUp.json());
  }
  return t.request({
    method: 'POST',
    url: '/api/v1/users/me/passkeys/registration-options',
    headers: auth,
    payload: { current_password: password, passkey },
  });
}

function addPasskey(t: TestApp, auth: Auth, response: unknown, name = 'My laptop') {
  return t.request({ method: 'POST', url: '/api/v1/users/me/passkeys', headers: auth, payload: { name, response } });
}

/** A user with one passkey registered through the API, and the authenticator holding it. */
async function userWithPasskey(t: TestApp, authenticator = new SoftwareAuthenticator(ORIGIN)) {
  const user = await t.createUser();
  const options = (await registrationOptions(t, user.auth, user.password)).json();
  const added = await addPasskey(t, user.auth, authenticator.register(options));
  expect(added.statusCode, added.body).toBe(200);
  clock.advance(1); // what follows is later, so lists and the audit log have one order
  return { ...user, authenticator, passkey: added.json() as { id: string; name: string } };
}

async function signInOptions(t: TestApp) {
  const response = await t.request({ method: 'POST', url: '/api/v1/login/passkey/options' });
  expect(response.statusCode).toBe(200);
  return response.json();
}

function signIn(t: TestApp, challengeId: string, response: unknown, headers: Record<string, string> = {}) {
  return t.request({ method: 'POST', url: '/api/v1/login/passkey', headers, payload: { challenge_id: challengeId, response } });
}

/** A whole passwordless sign-in with `authenticator`, bent as the test asks. */
async function signInWith(t: TestApp, authenticator: SoftwareAuthenticator, bend: Bend = {}) {
  const options = await signInOptions(t);
  return signIn(t, options.challenge_id, authenticator.authenticate(options, bend));
}

const listOwn = (t: TestApp, auth: Auth) => t.request({ method: 'GET', url: '/api/v1/users/me/passkeys', headers: auth });

async function events(t: TestApp, type: string, targetId: string) {
  return t.ctx.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.type, type), eq(auditEvents.targetId, targetId)))
    .orderBy(desc(auditEvents.at));
}

async function mails(t: TestApp, to: string, kind: string) {
  return t.ctx.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toAddress, to), eq(emailOutbox.kind, kind)));
}

describe('adding a passkey', () => {
  it('needs the current password, and offers a discoverable credential excluding the user’s own', async () => {
    const t = app.get();
    const user = await t.createUser();
    const wrong = await registrationOptions(t, user.auth, 'not-the-password');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Incorrect password' });
    expect((await events(t, 'reauth.failed', user.id))[0]?.details).toMatchObject({ action: 'passkey_registration' });
    const missing = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/passkeys/registration-options',
      headers: user.auth,
      payload: {},
    });
    expect(missing.statusCode).toBe(422);

    const options = (await registrationOptions(t, user.auth, user.password)).json();
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Roster Test' },
      user: { name: user.email, displayName: 'Test User' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      excludeCredentials: [],
    });
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const added = await addPasskey(t, user.auth, authenticator.register(options), '  Work laptop ');
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({
      name: 'Work laptop',
      last_used_at: null,
      backed_up: false,
      device_type: 'singleDevice',
    });

    const again = (await registrationOptions(t, user.auth, user.password, authenticator)).json();
    expect(again.excludeCredentials).toEqual([
      { id: authenticator.credentials[0]?.id, type: 'public-key', transports: ['internal'] },
    ]);
  });

  it('stores it, lists it, audits it and emails the owner; a synced one shows as such', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const synced = new SoftwareAuthenticator(ORIGIN, true);
    const options = (await registrationOptions(t, user.auth, user.password, user.authenticator)).json();
    expect((await addPasskey(t, user.auth, synced.register(options), 'Phone')).statusCode).toBe(200);

    const list = (await listOwn(t, user.auth)).json();
    expect(list.count).toBe(2);
    expect(
      list.data.map((p: { name: string; device_type: string; backed_up: boolean }) => [p.name, p.device_type, p.backed_up]),
    ).toEqual([
      ['My laptop', 'singleDevice', false],
      ['Phone', 'multiDevice', true],
    ]);
    const registered = await events(t, 'passkey.registered', user.id);
    expect(registered).toHaveLength(2);
    expect(registered[1]).toMatchObject({ actorId: user.id, details: { passkey_id: user.passkey.id, name: 'My laptop' } });
    const notices = await mails(t, user.email, 'passkey_added');
    expect(notices.map((mail) => mail.subject)).toEqual([
      'Roster Test - A passkey was added to your account',
      'Roster Test - A passkey was added to your account',
    ]);
    expect(notices[0]?.text).toContain('"My laptop"');
    // Another user sees none of them.
    const other = await t.createUser();
    expect((await listOwn(t, other.auth)).json()).toEqual({ data: [], count: 0 });
  });

  it('refuses a wrong origin, a wrong RP ID, a replayed, expired or someone else’s challenge', async () => {
    const t = app.get();
    const user = await t.createUser();
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const attempt = async (bend: Bend) => {
      const options = (await registrationOptions(t, user.auth, user.password, authenticator)).json();
      return addPasskey(t, user.auth, authenticator.register(options, bend));
    };
    const wrongOrigin = await attempt({ origin: 'http://evil.localhost:5173' });
    expect(wrongOrigin.statusCode).toBe(400);
    expect(wrongOrigin.json()).toEqual({ detail: 'Passkey could not be verified' });
    expect((await attempt({ rpId: 'example.com' })).json()).toEqual({ detail: 'Passkey could not be verified' });

    const options = (await registrationOptions(t, user.auth, user.password, authenticator)).json();
    const response = authenticator.register(options);
    expect((await addPasskey(t, user.auth, response)).statusCode).toBe(200);
    const replayed = await addPasskey(t, user.auth, response);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json()).toEqual({ detail: 'This passkey request expired or was already used; start again' });

    const late = (await registrationOptions(t, user.auth, user.password, authenticator)).json();
    clock.advance(5 * 60 + 1);
    expect((await addPasskey(t, user.auth, authenticator.register(late))).json().detail).toMatch(/expired or was already used/);

    // A challenge issued to one account cannot register a passkey on another.
    const other = await t.createUser();
    const theirs = (await registrationOptions(t, other.auth, other.password)).json();
    expect((await addPasskey(t, user.auth, authenticator.register(theirs))).statusCode).toBe(400);
    expect((await addPasskey(t, other.auth, authenticator.register(theirs))).statusCode).toBe(200);

    const failures = await events(t, 'passkey.failed', user.id);
    expect(failures.map((event) => event.details.reason).sort()).toEqual([
      'challenge',
      'challenge',
      'challenge',
      'not_verified',
      'not_verified',
    ]);
    expect((await listOwn(t, user.auth)).json().count).toBe(1);
  });

  it('refuses a credential already registered, to anyone (409)', async () => {
    const t = app.get();
    const owner = await userWithPasskey(t);
    const credentialId = owner.authenticator.credentials[0]?.id as string;
    const other = await t.createUser();
    const options = (await registrationOptions(t, other.auth, other.password)).json();
    const copied = await addPasskey(t, other.auth, owner.authenticator.register(options, { credentialId }));
    expect(copied.statusCode).toBe(409);
    expect(copied.json()).toEqual({ detail: 'This passkey is already registered' });
    expect((await listOwn(t, other.auth)).json().count).toBe(0);
  });

  it('allows at most 10 per account', async () => {
    const t = app.get();
    const user = await t.createUser();
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    // Ten options at once: the limit holds when they are answered, not only when they are asked for.
    const pending = [];
    for (let i = 0; i < 11; i++) pending.push((await registrationOptions(t, user.auth, user.password)).json());
    const answers = await Promise.all(
      pending.map((options, i) => addPasskey(t, user.auth, authenticator.register(options), `Key ${i}`)),
    );
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(10);
    expect(answers.filter((answer) => answer.statusCode === 400).map((answer) => answer.json().detail)).toEqual([
      'At most 10 passkeys per account; remove one first',
    ]);
    const more = await registrationOptions(t, user.auth, user.password, authenticator);
    expect(more.statusCode).toBe(400);
    expect(more.json().detail).toBe('At most 10 passkeys per account; remove one first');
  });
});

describe('managing passkeys', () => {
  it('renames one’s own passkey, not someone else’s', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const rename = (auth: Auth, name: string) =>
      t.request({ method: 'PATCH', url: `/api/v1/users/me/passkeys/${user.passkey.id}`, headers: auth, payload: { name } });
    const renamed = await rename(user.auth, 'YubiKey 5');
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: user.passkey.id, name: 'YubiKey 5' });
    const other = await t.createUser();
    expect((await rename(other.auth, 'Mine now')).statusCode).toBe(404);
    expect((await rename(user.auth, '   ')).statusCode).toBe(422);
    expect((await listOwn(t, user.auth)).json().data[0].name).toBe('YubiKey 5');
  });

  it('removes one with the password; it then signs in no more; the owner is told', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const remove = (password: string, auth = user.auth) =>
      t.request({
        method: 'DELETE',
        url: `/api/v1/users/me/passkeys/${user.passkey.id}`,
        headers: auth,
        payload: { current_password: password },
      });
    expect((await remove('wrong-password')).json()).toEqual({ detail: 'Incorrect password' });
    const other = await t.createUser();
    expect((await remove(other.password, other.auth)).statusCode).toBe(404);
    expect((await signInWith(t, user.authenticator)).statusCode).toBe(200);

    const removed = await remove(user.password);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ message: 'Passkey removed' });
    expect((await listOwn(t, user.auth)).json().count).toBe(0);
    expect((await events(t, 'passkey.removed', user.id))[0]?.details).toMatchObject({
      passkey_id: user.passkey.id,
      by_admin: false,
    });
    expect((await mails(t, user.email, 'passkey_removed'))[0]?.subject).toBe(
      'Roster Test - A passkey was removed from your account',
    );

    const after = await signInWith(t, user.authenticator);
    expect(after.statusCode).toBe(400);
    expect(after.json()).toEqual({ detail: 'Passkey not recognised' });
  });
});

describe('signing in with a passkey alone', () => {
  it('offers no credentials, requires user verification, and answers as the password login does', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const options = await signInOptions(t);
    expect(options).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'required' });
    expect(options.challenge_id).toMatch(/^[0-9a-f-]{36}$/);

    const answer = await signIn(t, options.challenge_id, user.authenticator.authenticate(options), {
      'x-roster-refresh': 'cookie',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = answer.json();
    expect(body).toMatchObject({ token_type: 'bearer' });
    expect(body.refresh_token).toBeUndefined();
    expect(String(answer.headers['set-cookie'])).toContain('roster_refresh=');
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.json().email).toBe(user.email);

    expect((await events(t, 'login.succeeded', user.id))[0]?.details).toMatchObject({ method: 'passkey' });
    expect((await events(t, 'passkey.signed_in', user.id))[0]?.details).toMatchObject({
      passkey_id: user.passkey.id,
      as: 'sign_in',
    });
    const [stored] = await t.ctx.db.select().from(passkeys).where(eq(passkeys.id, user.passkey.id));
    expect(stored?.counter).toBe(1);
    expect((await listOwn(t, user.auth)).json().data[0].last_used_at).toBe(clock.now().toISOString());
  });

  it('refuses a replayed or expired challenge, and a challenge_id that is not the one answered', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const options = await signInOptions(t);
    const response = user.authenticator.authenticate(options);
    expect((await signIn(t, options.challenge_id, response)).statusCode).toBe(200);
    const replayed = await signIn(t, options.challenge_id, response);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json().detail).toMatch(/expired or was already used/);

    const late = await signInOptions(t);
    clock.advance(5 * 60 + 1);
    expect((await signIn(t, late.challenge_id, user.authenticator.authenticate(late))).statusCode).toBe(400);

    const first = await signInOptions(t);
    const second = await signInOptions(t);
    expect((await signIn(t, first.challenge_id, user.authenticator.authenticate(second))).statusCode).toBe(400);
    // Answered with its own id, the second challenge still works: the mismatch did not use it up.
    expect((await signIn(t, second.challenge_id, user.authenticator.authenticate(second))).statusCode).toBe(200);
  });

  it('refuses a wrong origin, a wrong RP ID and an unverified user', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    for (const bend of [{ origin: 'https://localhost.evil.example' }, { rpId: 'evil.example' }, { userVerified: false }]) {
      const refused = await signInWith(t, user.authenticator, bend);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ detail: 'Passkey could not be verified' });
    }
    const failures = await events(t, 'passkey.failed', user.id);
    expect(failures.map((event) => event.details.reason)).toEqual(['not_verified', 'not_verified', 'not_verified']);
    expect(await events(t, 'login.succeeded', user.id)).toHaveLength(0);
  });

  it('refuses a counter that goes backwards (a cloned authenticator) and audits it', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    expect((await signInWith(t, user.authenticator, { counter: 7 })).statusCode).toBe(200);
    const clone = await signInWith(t, user.authenticator, { counter: 5 });
    expect(clone.statusCode).toBe(400);
    expect(clone.json().detail).toMatch(/may have been copied/);
    expect((await signInWith(t, user.authenticator, { counter: 7 })).statusCode).toBe(400);
    const suspected = await events(t, 'passkey.clone_suspected', user.id);
    expect(suspected.map((event) => event.details.received_counter).sort()).toEqual([5, 7]);
    // The genuine authenticator, counting on, still signs in.
    expect((await signInWith(t, user.authenticator, { counter: 8 })).statusCode).toBe(200);
  });

  it('refuses a credential presented as another user’s, an unknown one, and an inactive account', async () => {
    const t = app.get();
    const alice = await userWithPasskey(t);
    const bob = await userWithPasskey(t);
    const options = await signInOptions(t);
    const forged = alice.authenticator.authenticate(options);
    forged.response.userHandle = bob.authenticator.credentials[0]?.userHandle as string;
    const refused = await signIn(t, options.challenge_id, forged);
    expect(refused.json()).toEqual({ detail: 'Passkey not recognised' });

    const stranger = new SoftwareAuthenticator(ORIGIN);
    stranger.register({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'nobody' } });
    expect((await signInWith(t, stranger)).json()).toEqual({ detail: 'Passkey not recognised' });

    await t.ctx.users.update(bob.id, { isActive: false });
    const inactive = await signInWith(t, bob.authenticator);
    expect(inactive.statusCode).toBe(400);
    expect(inactive.json()).toEqual({ detail: 'Inactive user' });
    expect((await events(t, 'login.failed', bob.id))[0]?.details).toMatchObject({ reason: 'inactive', method: 'passkey' });
  });

  it('rejects malformed answers with 422 or 400, never a 5xx', async () => {
    const t = app.get();
    const options = await signInOptions(t);
    const bodies = [
      { challenge_id: options.challenge_id },
      { challenge_id: 'not-a-uuid', response: {} },
      {
        challenge_id: options.challenge_id,
        response: { id: 'a', rawId: 'a', type: 'public-key', clientExtensionResults: {}, response: {} },
      },
    ];
    for (const payload of bodies) {
      expect((await t.request({ method: 'POST', url: '/api/v1/login/passkey', payload })).statusCode).toBe(422);
    }
    const garbage = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'bm90IGpzb24', authenticatorData: 'AAAA', signature: 'AAAA' },
    };
    const refused = await signIn(t, options.challenge_id, garbage);
    expect(refused.statusCode).toBe(400);
  });
});

describe('an administrator and a user’s passkeys', () => {
  it('lists and removes them; the user is emailed; the removal is audited as the administrator’s', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const admin = await t.superuserAuth();
    const list = await t.request({ method: 'GET', url: `/api/v1/users/${user.id}/passkeys`, headers: admin });
    expect(list.json()).toMatchObject({ count: 1, data: [{ id: user.passkey.id, name: 'My laptop' }] });
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${user.id}/passkeys`, headers: user.auth })).statusCode).toBe(
      403,
    );
    const other = await t.createUser();
    const url = `/api/v1/users/${user.id}/passkeys/${user.passkey.id}`;
    expect((await t.request({ method: 'DELETE', url, headers: other.auth })).statusCode).toBe(403);
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/users/${other.id}/passkeys/${user.passkey.id}`, headers: admin }))
        .statusCode,
    ).toBe(404);

    const removed = await t.request({ method: 'DELETE', url, headers: admin });
    expect(removed.statusCode).toBe(200);
    expect((await t.request({ method: 'DELETE', url, headers: admin })).statusCode).toBe(404);
    const [event] = await events(t, 'passkey.removed', user.id);
    expect(event?.details).toMatchObject({ by_admin: true });
    expect(event?.actorId).not.toBe(user.id);
    expect((await mails(t, user.email, 'passkey_removed'))[0]?.text).toContain('by an administrator');
  });
});

describe('a passkey as the second factor', () => {
  const claimsOf = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());

  async function passwordStep(t: TestApp, user: { email: string; password: string }) {
    const response = await t.login(user.email, user.password);
    expect(response.statusCode, response.body).toBe(403);
    return response.json() as { detail: string; mfa_token: string; methods: string[] };
  }

  const passkeyOptions = (t: TestApp, mfaToken: string) =>
    t.request({ method: 'POST', url: '/api/v1/login/mfa/passkey-options', payload: { mfa_token: mfaToken } });
  const secondStep = (t: TestApp, payload: Record<string, unknown>) =>
    t.request({ method: 'POST', url: '/api/v1/login/mfa', payload });

  it('turns MFA on: a password alone no longer signs in, and the step offers the passkey', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth });
    expect(me.json().mfa_enabled).toBe(true);
    const status = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth });
    expect(status.json()).toEqual({ totp: false, recovery_codes_left: 0, passkeys: 1 });

    const challenge = await passwordStep(t, user);
    expect(challenge).toMatchObject({ detail: 'Multi-factor authentication required', methods: ['passkey'] });
    const options = await passkeyOptions(t, challenge.mfa_token);
    expect(options.statusCode).toBe(200);
    expect(options.json()).toMatchObject({
      rpId: 'localhost',
      userVerification: 'required',
      allowCredentials: [{ id: user.authenticator.credentials[0]?.id, type: 'public-key' }],
    });

    const signedIn = await secondStep(t, {
      mfa_token: challenge.mfa_token,
      passkey: user.authenticator.authenticate(options.json()),
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(claimsOf(signedIn.json().access_token)).toMatchObject({ amr: ['pwd', 'hwk', 'user'], aal: 2 });
    expect((await events(t, 'login.succeeded', user.id))[0]?.details).toMatchObject({ method: 'password+passkey', aal: 2 });
    expect((await events(t, 'mfa.succeeded', user.id))[0]?.details).toMatchObject({ method: 'passkey' });
    // The token is spent.
    expect((await passkeyOptions(t, challenge.mfa_token)).json()).toEqual({ detail: 'Invalid or expired MFA token' });

    // A passkey alone also counts as two factors.
    const alone = await signInWith(t, user.authenticator);
    expect(claimsOf(alone.json().access_token)).toMatchObject({ amr: ['hwk', 'user'], aal: 2 });
  });

  it('refuses another user’s passkey, a replayed answer and a wrong shape; refusals count against the token', async () => {
    const t = app.get();
    const alice = await userWithPasskey(t);
    const bob = await userWithPasskey(t);
    const challenge = await passwordStep(t, alice);
    const options = (await passkeyOptions(t, challenge.mfa_token)).json();
    // Bob's authenticator answers Alice's challenge with Bob's passkey.
    const bobs = bob.authenticator.authenticate({ ...options, allowCredentials: [] });
    const refused = await secondStep(t, { mfa_token: challenge.mfa_token, passkey: bobs });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ detail: 'Passkey not recognised' });
    expect((await events(t, 'mfa.challenge_failed', alice.id)).length).toBe(1);

    const fresh = (await passkeyOptions(t, challenge.mfa_token)).json();
    const answer = alice.authenticator.authenticate(fresh);
    const wrongShape = await secondStep(t, { mfa_token: challenge.mfa_token });
    expect(wrongShape.statusCode).toBe(422);
    expect((await secondStep(t, { mfa_token: challenge.mfa_token, code: '123456', passkey: answer })).statusCode).toBe(422);
    expect((await secondStep(t, { mfa_token: challenge.mfa_token, passkey: answer })).statusCode).toBe(200);

    // Replayed on a new sign-in: its challenge was used.
    const again = await passwordStep(t, alice);
    await passkeyOptions(t, again.mfa_token);
    const replayed = await secondStep(t, { mfa_token: again.mfa_token, passkey: answer });
    expect(replayed.json().detail).toMatch(/expired or was already used/);
  });

  it('adding another passkey with MFA on needs a second factor too', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    const withoutSecond = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/passkeys/registration-options',
      headers: user.auth,
      payload: { current_password: user.password },
    });
    expect(withoutSecond.statusCode).toBe(400);
    expect(withoutSecond.json()).toEqual({ detail: 'Enter a code from your authenticator app or a recovery code' });
    const wrongCode = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/passkeys/registration-options',
      headers: user.auth,
      payload: { current_password: user.password, code: '000000' },
    });
    expect(wrongCode.json()).toEqual({ detail: 'Invalid authentication code' });
    expect((await registrationOptions(t, user.auth, user.password, user.authenticator)).statusCode).toBe(200);
  });

  it('removing the last passkey turns MFA off; an administrator’s MFA reset removes passkeys', async () => {
    const t = app.get();
    const user = await userWithPasskey(t);
    await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/passkeys/${user.passkey.id}`,
      headers: user.auth,
      payload: { current_password: user.password },
    });
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).json().mfa_enabled).toBe(false);
    expect((await t.login(user.email, user.password)).statusCode).toBe(200);

    const other = await userWithPasskey(t);
    const reset = await t.request({ method: 'DELETE', url: `/api/v1/users/${other.id}/mfa`, headers: await t.superuserAuth() });
    expect(reset.statusCode).toBe(200);
    expect(await t.ctx.db.select().from(passkeys).where(eq(passkeys.userId, other.id))).toEqual([]);
    expect((await t.login(other.email, other.password)).statusCode).toBe(200);
  });
});
