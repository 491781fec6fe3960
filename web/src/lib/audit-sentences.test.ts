import { describe, expect, it } from 'vitest';
import { type AuditEventLike, describeEvent, listInWords, sentenceText } from './audit-sentences';

const ANN = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const names: Record<string, string> = { [ANN]: 'Ann', [BOB]: 'Bob' };
const say = (event: Partial<AuditEventLike> & { type: string }) =>
  sentenceText(describeEvent({ actor_id: null, target_id: null, details: {}, ...event }), (id) =>
    id ? (names[id] ?? '?') : 'nobody',
  );

describe('audit events as sentences', () => {
  it('names who did what to whom', () => {
    expect(say({ type: 'email.changed', actor_id: ANN, target_id: BOB, details: { from: 'a', to: 'b' } })).toBe(
      "Ann changed Bob's email",
    );
    expect(say({ type: 'email.changed', actor_id: BOB, target_id: BOB })).toBe('Bob changed their email');
    expect(
      say({ type: 'admin.user_updated', actor_id: ANN, target_id: BOB, details: { changed: ['is_superuser', 'password'] } }),
    ).toBe("Ann changed Bob's role and password");
    expect(say({ type: 'admin.user_deleted', actor_id: ANN, target_id: BOB })).toBe("Ann deleted Bob's account");
    expect(say({ type: 'session.revoked', actor_id: ANN, target_id: BOB, details: { scope: 'all', count: 2 } })).toBe(
      'Ann signed Bob out everywhere',
    );
    expect(say({ type: 'session.revoked', actor_id: BOB, target_id: BOB, details: { scope: 'others', count: 1 } })).toBe(
      'Bob signed out 1 other device',
    );
  });

  it('roles given, taken and defined', () => {
    expect(say({ type: 'role.granted', actor_id: ANN, target_id: BOB, details: { role: 'support' } })).toBe(
      'Ann gave Bob the support role',
    );
    expect(say({ type: 'role.revoked', actor_id: null, target_id: BOB, details: { role: 'superuser', via: 'cli' } })).toBe(
      'The command line took the superuser role from Bob',
    );
    expect(say({ type: 'role.created', actor_id: ANN, details: { role: 'auditor' } })).toBe('Ann created the auditor role');
    expect(say({ type: 'role.updated', actor_id: ANN, details: { role: 'helpdesk', renamed_from: 'desk' } })).toBe(
      'Ann renamed the desk role to helpdesk',
    );
    expect(say({ type: 'role.updated', actor_id: ANN, details: { role: 'helpdesk' } })).toBe('Ann changed the helpdesk role');
    expect(say({ type: 'role.deleted', actor_id: ANN, details: { role: 'helpdesk' } })).toBe('Ann deleted the helpdesk role');
  });

  it('organization events', () => {
    expect(say({ type: 'org.created', actor_id: ANN, target_id: ANN, details: { name: 'Acme' } })).toBe(
      'Ann created the organization Acme',
    );
    expect(
      say({ type: 'org.member_role_changed', actor_id: ANN, target_id: BOB, details: { from: 'member', to: 'admin' } }),
    ).toBe('Ann made Bob an admin of an organization');
    expect(say({ type: 'org.member_removed', actor_id: BOB, target_id: BOB, details: { left: true } })).toBe(
      'Bob left an organization',
    );
    expect(say({ type: 'org.member_removed', actor_id: ANN, target_id: BOB, details: { left: false } })).toBe(
      'Ann removed Bob from an organization',
    );
    expect(say({ type: 'org.member_added', actor_id: BOB, target_id: BOB, details: { via: 'invitation', role: 'member' } })).toBe(
      'Bob joined an organization as a member',
    );
    expect(say({ type: 'org.invitation_sent', actor_id: ANN, details: { email: 'c@example.com', role: 'owner' } })).toBe(
      'Ann invited c@example.com to an organization as an owner',
    );
  });

  it('webhook endpoints, named by their URL', () => {
    const url = 'https://crm.example.com/hooks';
    const ENDPOINT = '33333333-3333-4333-8333-333333333333';
    expect(say({ type: 'webhook.endpoint_created', actor_id: ANN, target_id: ENDPOINT, details: { url } })).toBe(
      `Ann added the webhook endpoint ${url}`,
    );
    expect(
      say({
        type: 'webhook.endpoint_updated',
        actor_id: ANN,
        target_id: ENDPOINT,
        details: { url, changed: ['url', 'event_types'] },
      }),
    ).toBe(`Ann changed the URL and events of the webhook endpoint ${url}`);
    expect(
      say({
        type: 'webhook.endpoint_updated',
        actor_id: ANN,
        target_id: ENDPOINT,
        details: { url, changed: ['enabled'], enabled: false },
      }),
    ).toBe(`Ann disabled the webhook endpoint ${url}`);
    expect(say({ type: 'webhook.secret_rotated', target_id: ENDPOINT, details: { url, via: 'cli' } })).toBe(
      `The command line issued a new signing secret for the webhook endpoint ${url}`,
    );
    expect(say({ type: 'webhook.endpoint_deleted', actor_id: ANN, target_id: ENDPOINT, details: { url } })).toBe(
      `Ann deleted the webhook endpoint ${url}`,
    );
    expect(say({ type: 'webhook.endpoint_disabled', target_id: ENDPOINT, details: { url, reason: 'failing' } })).toBe(
      `Roster disabled the webhook endpoint ${url}: its deliveries failed for 5 days`,
    );
  });

  it('passkeys: added, removed by their owner or an administrator, used, refused', () => {
    expect(say({ type: 'passkey.registered', actor_id: BOB, target_id: BOB, details: { name: 'Phone' } })).toBe(
      'Bob added a passkey (Phone)',
    );
    expect(say({ type: 'passkey.removed', actor_id: ANN, target_id: BOB, details: { name: 'Phone', by_admin: true } })).toBe(
      "Ann removed Bob's passkey (Phone)",
    );
    expect(say({ type: 'passkey.removed', actor_id: BOB, target_id: BOB, details: { by_admin: false } })).toBe(
      'Bob removed a passkey',
    );
    expect(say({ type: 'passkey.signed_in', actor_id: BOB, target_id: BOB, details: { as: 'sign_in' } })).toBe(
      'Bob used a passkey to sign in',
    );
    expect(say({ type: 'passkey.failed', details: { stage: 'sign_in', reason: 'unknown_credential' } })).toBe(
      'A passkey sign-in failed: unknown passkey',
    );
    expect(say({ type: 'passkey.clone_suspected', target_id: BOB })).toBe(
      'A passkey of Bob was refused: its authenticator may have been copied',
    );
  });

  it('sign-ins, including refused ones', () => {
    expect(say({ type: 'login.succeeded', actor_id: BOB, target_id: BOB })).toBe('Bob signed in');
    expect(say({ type: 'login.failed', target_id: BOB, details: { reason: 'wrong_password' } })).toBe(
      'A sign-in as Bob failed: wrong password',
    );
    expect(say({ type: 'login.failed', details: { reason: 'unknown_email' } })).toBe('A sign-in with an unknown email failed');
    expect(say({ type: 'login.locked', target_id: BOB, details: { failures: 5 } })).toBe(
      'Sign-in as Bob was locked after 5 failures',
    );
    expect(say({ type: 'refresh.refused', target_id: BOB, details: { reason: 'invalid' } })).toBe(
      'A sign-in token of Bob was refused: its session had ended or the account is inactive',
    );
    expect(say({ type: 'refresh.refused', details: { reason: 'invalid' } })).toBe('An unknown sign-in token was refused');
  });

  it('the command line and the private API are named as such', () => {
    expect(say({ type: 'admin.user_created', target_id: BOB, details: { via: 'cli' } })).toBe(
      "The command line created Bob's account",
    );
    expect(say({ type: 'users.imported', details: { via: 'cli', command: 'import', created: 1, items: 0 } })).toBe(
      'The command line imported 1 user',
    );
    expect(say({ type: 'private.user_created', target_id: BOB })).toBe("The private API created Bob's account");
  });

  it('two-factor events', () => {
    expect(say({ type: 'mfa.totp_enrolled', actor_id: ANN, target_id: ANN })).toBe('Ann turned on two-factor authentication');
    expect(say({ type: 'mfa.totp_disabled', actor_id: ANN, target_id: ANN })).toBe('Ann turned off two-factor authentication');
    expect(say({ type: 'mfa.challenge_failed', target_id: ANN, details: { stage: 'login' } })).toBe(
      'A wrong two-factor code was entered for Ann at sign-in',
    );
    expect(say({ type: 'mfa.challenge_failed', target_id: ANN, details: { stage: 'later' } })).toBe(
      'A wrong two-factor code was entered for Ann',
    );
    expect(say({ type: 'mfa.succeeded', target_id: ANN, details: { method: 'totp' } })).toBe('Ann passed two-factor sign-in');
    expect(say({ type: 'mfa.succeeded', target_id: ANN, details: { method: 'recovery_code' } })).toBe(
      'Ann passed two-factor sign-in with a recovery code',
    );
    expect(say({ type: 'mfa.recovery_code_used', target_id: ANN, details: { recovery_codes_left: 9 } })).toBe(
      'Ann used a recovery code (9 codes left)',
    );
    expect(say({ type: 'mfa.recovery_codes_regenerated', actor_id: ANN, target_id: ANN })).toBe('Ann made new recovery codes');
    expect(say({ type: 'mfa.reset_by_admin', actor_id: ANN, target_id: BOB })).toBe("Ann reset Bob's two-factor authentication");
    expect(say({ type: 'mfa.reset_by_admin', target_id: BOB, details: { via: 'cli' } })).toBe(
      "The command line reset Bob's two-factor authentication",
    );
    expect(say({ type: 'mfa.device_remembered', target_id: BOB })).toBe('Bob had a browser remembered for two-factor sign-in');
    expect(say({ type: 'mfa.device_forgotten', actor_id: BOB, target_id: BOB })).toBe(
      'Bob forgot one of their remembered browsers',
    );
  });

  it('an event type it does not know still reads', () => {
    expect(say({ type: 'something.new', actor_id: ANN })).toBe('Ann did something.new');
  });

  it('sign-in providers: linking, unlinking, and why a sign-in with one failed', () => {
    expect(say({ type: 'login.succeeded', target_id: BOB, details: { method: 'oauth:google' } })).toBe(
      'Bob signed in with google',
    );
    expect(
      say({ type: 'identity.linked', target_id: BOB, actor_id: BOB, details: { provider: 'github', via: 'settings' } }),
    ).toBe('Bob linked their github account');
    expect(say({ type: 'identity.linked', target_id: BOB, details: { provider: 'google', via: 'signup' } })).toBe(
      'Bob signed up with google',
    );
    expect(say({ type: 'identity.unlinked', actor_id: ANN, target_id: BOB, details: { provider: 'google' } })).toBe(
      "Ann unlinked google from Bob's account",
    );
    expect(say({ type: 'login.failed', target_id: BOB, details: { reason: 'email_conflict', method: 'oauth:google' } })).toBe(
      'A sign-in as Bob failed: an account has that email but it was not confirmed to be theirs',
    );
  });

  it('lists in words', () => {
    expect(listInWords(['a'])).toBe('a');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
