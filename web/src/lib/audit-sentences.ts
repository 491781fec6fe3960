// Audit events as sentences a person reads at a glance ("Ann changed Bob's role"). The raw
// type and details stay one click away on the page; this only words them. People are parts
// of the sentence, not text, so the page can show each as a name that filters the log.

export type AuditEventLike = {
  type: string;
  actor_id: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
};

/** A person in a sentence: `possessive` reads "Bob's"; `null` is nobody the log knows. */
export type Person = { user: string | null; possessive?: boolean };
export type SentencePart = string | Person;

const FAILURE_REASONS: Record<string, string> = {
  wrong_password: 'wrong password',
  unknown_email: 'unknown email',
  inactive: 'the account is inactive',
  unverified: 'the email is not verified',
  // A sign-in with another provider (details.method is oauth:<provider>).
  email_conflict: 'an account has that email but it was not confirmed to be theirs',
  signup_disabled: 'no account has that email and sign-up is closed',
  no_email: 'the provider gave no verified email',
  state_mismatch: 'the sign-in link was expired, reused or from another browser',
  provider_refused: 'the provider refused',
  provider_error: 'the provider’s answer failed its checks',
  provider_unavailable: 'the provider could not be reached',
  identity_taken: 'that provider account is linked to someone else',
  already_linked: 'another account at that provider is already linked',
};

/** `oauth:google` → "google". */
function providerOf(details: Record<string, unknown>): string {
  if (typeof details.provider === 'string') return details.provider;
  if (typeof details.method === 'string' && details.method.startsWith('oauth:')) return details.method.slice('oauth:'.length);
  return 'a provider';
}
const PASSKEY_FAILURES: Record<string, string> = {
  challenge: 'expired or reused request',
  unknown_credential: 'unknown passkey',
  not_verified: 'the passkey could not be verified',
  clone_suspected: 'the authenticator may have been copied',
  limit: 'too many passkeys',
  duplicate: 'already registered',
};

const passkeyName = (details: Record<string, unknown>) => (typeof details.name === 'string' ? ` (${details.name})` : '');

/** Where a wrong second-factor code was typed. */
const MFA_STAGES: Record<string, string> = {
  login: 'at sign-in',
  enrolment: 'while setting up an authenticator app',
  step_up: 'to confirm a change',
};

const FIELD_NAMES: Record<string, string> = {
  email: 'email',
  full_name: 'name',
  fullName: 'name',
  password: 'password',
  hashedPassword: 'password',
  is_active: 'status',
  isActive: 'status',
  is_superuser: 'role',
  isSuperuser: 'role',
  is_verified: 'verification',
  isVerified: 'verification',
};

/** "a", "a and b", "a, b and c". */
export function listInWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function orgName(details: Record<string, unknown>): string {
  return typeof details.name === 'string' ? details.name : 'an organization';
}

/** "an admin", "a member", "an owner". */
function withArticle(role: unknown): string {
  const word = typeof role === 'string' ? role : 'member';
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

/** Webhook events name the endpoint by its URL (their target is the endpoint, not a person). */
function endpointName(details: Record<string, unknown>): string {
  return typeof details.url === 'string' ? `the webhook endpoint ${details.url}` : 'a webhook endpoint';
}

const WEBHOOK_FIELD_NAMES: Record<string, string> = {
  url: 'URL',
  description: 'description',
  event_types: 'events',
  enabled: 'status',
};

const WEBHOOK_DISABLED_REASONS: Record<string, string> = {
  gone: 'it answered 410 Gone',
  failing: 'its deliveries failed for 5 days',
};

function plural(count: unknown, noun: string): string {
  const n = typeof count === 'number' ? count : Number(count);
  if (!Number.isFinite(n)) return `${noun}s`;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function describeEvent(event: AuditEventLike): SentencePart[] {
  const { details } = event;
  const viaCli = details.via === 'cli';
  const actor: SentencePart = event.actor_id ? { user: event.actor_id } : viaCli ? 'The command line' : 'Someone';
  const target: Person = { user: event.target_id };
  const targetsOwn: SentencePart =
    event.actor_id !== null && event.actor_id === event.target_id ? 'their' : { user: event.target_id, possessive: true };

  switch (event.type) {
    case 'login.succeeded':
      return String(details.method ?? '').startsWith('oauth:')
        ? [target, ` signed in with ${providerOf(details)}`]
        : [target, ' signed in'];
    case 'login.failed': {
      const reason = FAILURE_REASONS[String(details.reason)] ?? String(details.reason ?? 'refused');
      return event.target_id ? ['A sign-in as ', target, ` failed: ${reason}`] : [`A sign-in with an unknown email failed`];
    }
    case 'login.locked': {
      const whom: SentencePart[] = event.target_id ? [target] : [String(details.username ?? 'an unknown email')];
      return ['Sign-in as ', ...whom, ` was locked after ${plural(details.failures, 'failure')}`];
    }
    case 'logout':
      return [target, ' signed out'];
    case 'refresh.refused':
      // A known token names its user: its session ended (signed out, revoked, expired) or the account is inactive.
      return event.target_id
        ? ['A sign-in token of ', target, ' was refused: its session had ended or the account is inactive']
        : ['An unknown sign-in token was refused'];
    case 'refresh.reuse_detected':
      return ['A stolen or replayed sign-in token ended a session of ', target];
    case 'session.revoked':
      if (details.scope === 'others') return [target, ` signed out ${plural(details.count, 'other device')}`];
      if (details.scope === 'all') return [actor, ' signed ', target, ' out everywhere'];
      return [actor, ' signed out one of ', targetsOwn, ' devices'];
    case 'password.changed':
      return [target, ' changed their password'];
    case 'password.reset':
      return [target, ' reset their password with an emailed link'];
    case 'email.changed':
      return [actor, ' changed ', targetsOwn, ' email'];
    case 'email.verified':
      return event.actor_id === event.target_id
        ? [target, ' verified their email']
        : [actor, ' marked ', targetsOwn, ' email verified'];
    case 'user.signed_up':
      return [target, ' signed up'];
    case 'admin.user_created':
      return [actor, ' created ', targetsOwn, ' account'];
    case 'private.user_created':
      return ['The private API created ', { user: event.target_id, possessive: true }, ' account'];
    case 'admin.user_updated': {
      const fields = Array.isArray(details.changed) ? details.changed.map((f) => FIELD_NAMES[String(f)] ?? String(f)) : [];
      const unique = [...new Set(fields.filter((f) => f !== 'via'))];
      return [actor, ' changed ', targetsOwn, ` ${unique.length > 0 ? listInWords(unique) : 'account'}`];
    }
    case 'admin.user_deleted':
      return [actor, ' deleted ', targetsOwn, ' account'];
    case 'user.deleted_self':
      return [target, ' deleted their own account'];
    case 'identity.linked':
      if (details.via === 'signup') return [target, ` signed up with ${providerOf(details)}`];
      if (details.via === 'verified_email') {
        return [{ user: event.target_id, possessive: true }, ` ${providerOf(details)} account was linked by its verified email`];
      }
      return [target, ` linked their ${providerOf(details)} account`];
    case 'identity.unlinked':
      return [actor, ` unlinked ${providerOf(details)} from `, targetsOwn, ' account'];
    case 'users.imported':
      return [
        actor,
        ` ${details.command === 'seed' ? 'seeded' : 'imported'} ${plural(details.created, 'user')}`,
        ...(typeof details.items === 'number' && details.items > 0 ? [` and ${plural(details.items, 'item')}`] : []),
      ];
    case 'passkey.registered':
      return [target, ` added a passkey${passkeyName(details)}`];
    case 'passkey.removed':
      return details.by_admin
        ? [actor, ' removed ', targetsOwn, ` passkey${passkeyName(details)}`]
        : [target, ` removed a passkey${passkeyName(details)}`];
    case 'passkey.signed_in':
      return [target, details.as === 'second_factor' ? ' confirmed a sign-in with a passkey' : ' used a passkey to sign in'];
    case 'passkey.failed': {
      const reason = PASSKEY_FAILURES[String(details.reason)] ?? String(details.reason ?? 'refused');
      const what = details.stage === 'registration' ? 'Adding a passkey' : 'A passkey sign-in';
      return event.target_id ? [`${what} for `, target, ` failed: ${reason}`] : [`${what} failed: ${reason}`];
    }
    case 'passkey.clone_suspected':
      return ['A passkey of ', target, ' was refused: its authenticator may have been copied'];
    case 'mfa.totp_enrolled':
      return [target, ' turned on two-factor authentication'];
    case 'mfa.totp_disabled':
      return [target, ' turned off two-factor authentication'];
    case 'mfa.challenge_failed': {
      const stage = MFA_STAGES[String(details.stage)];
      return ['A wrong two-factor code was entered for ', target, ...(stage ? [` ${stage}`] : [])];
    }
    case 'mfa.succeeded':
      return [
        target,
        details.method === 'recovery_code' ? ' passed two-factor sign-in with a recovery code' : ' passed two-factor sign-in',
      ];
    case 'mfa.recovery_code_used':
      return [
        target,
        ' used a recovery code',
        ...(details.recovery_codes_left !== undefined ? [` (${plural(details.recovery_codes_left, 'code')} left)`] : []),
      ];
    case 'mfa.recovery_codes_regenerated':
      return [target, ' made new recovery codes'];
    case 'mfa.reset_by_admin':
      return [actor, ' reset ', targetsOwn, ' two-factor authentication'];
    case 'mfa.device_remembered':
      return [target, ' had a browser remembered for two-factor sign-in'];
    case 'mfa.device_forgotten':
      return [actor, ' forgot one of ', targetsOwn, ' remembered browsers'];
    case 'role.granted':
      return [actor, ' gave ', target, ` the ${String(details.role)} role`];
    case 'role.revoked':
      return [actor, ` took the ${String(details.role)} role from `, target];
    case 'role.created':
      return [actor, ` created the ${String(details.role)} role`];
    case 'role.updated':
      return typeof details.renamed_from === 'string'
        ? [actor, ` renamed the ${details.renamed_from} role to ${String(details.role)}`]
        : [actor, ` changed the ${String(details.role)} role`];
    case 'role.deleted':
      return [actor, ` deleted the ${String(details.role)} role`];
    // Organization events name the organization in their details (their target is the
    // organization, not a person, when no member is concerned).
    case 'org.created':
      return [actor, ` created the organization ${orgName(details)}`];
    case 'org.updated':
      return [
        actor,
        ` changed the organization's ${listInWords(Array.isArray(details.changed) ? details.changed.map(String) : ['settings'])}`,
      ];
    case 'org.deleted':
      return [actor, ` deleted the organization ${orgName(details)}`];
    case 'org.domains_changed':
      return [actor, " changed an organization's verified domains"];
    case 'org.member_added':
      if (details.via === 'domain') return [target, ' joined an organization through their email domain'];
      if (details.via === 'invitation') return [target, ` joined an organization as ${withArticle(details.role)}`];
      return [actor, ' added ', target, ` to an organization as ${withArticle(details.role)}`];
    case 'org.member_role_changed':
      return [actor, ' made ', target, ` ${withArticle(details.to)} of an organization`];
    case 'org.member_removed':
      return details.left === true ? [target, ' left an organization'] : [actor, ' removed ', target, ' from an organization'];
    case 'org.invitation_sent':
      return [actor, ` invited ${String(details.email ?? 'someone')} to an organization as ${withArticle(details.role)}`];
    case 'org.invitation_revoked':
      return [actor, ` revoked the invitation sent to ${String(details.email ?? 'someone')}`];
    case 'org.invitation_accepted':
      return [target, ' accepted an invitation to an organization'];
    case 'webhook.endpoint_created':
      return [actor, ` added ${endpointName(details)}`];
    case 'webhook.endpoint_updated': {
      const changed = Array.isArray(details.changed) ? details.changed.map(String) : [];
      if (changed.length === 1 && changed[0] === 'enabled') {
        return [actor, ` ${details.enabled === false ? 'disabled' : 'enabled'} ${endpointName(details)}`];
      }
      const fields = changed.map((field) => WEBHOOK_FIELD_NAMES[field] ?? field);
      return [actor, ` changed the ${fields.length > 0 ? listInWords(fields) : 'settings'} of ${endpointName(details)}`];
    }
    case 'webhook.endpoint_deleted':
      return [actor, ` deleted ${endpointName(details)}`];
    case 'webhook.secret_rotated':
      return [actor, ` issued a new signing secret for ${endpointName(details)}`];
    case 'webhook.endpoint_disabled': {
      const reason = WEBHOOK_DISABLED_REASONS[String(details.reason)];
      return [`Roster disabled ${endpointName(details)}${reason ? `: ${reason}` : ''}`];
    }
    default:
      return [actor, ` did ${event.type}`];
  }
}

/** The sentence as plain text, with `nameOf` naming each person (for tests and titles). */
export function sentenceText(parts: SentencePart[], nameOf: (id: string | null) => string): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const name = nameOf(part.user);
      return part.possessive ? possessive(name) : name;
    })
    .join('');
}

export function possessive(name: string): string {
  return /s$/i.test(name) && !name.includes('@') ? `${name}'` : `${name}'s`;
}
