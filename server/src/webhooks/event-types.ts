/**
 * Events of the areas built on accounts (second factors, passkeys, sign-in providers, roles,
 * organizations) that are also webhook events. Each is audited in the transaction of its change,
 * and the webhook is written beside that record (webhooks/audited-events.ts), so it commits or
 * rolls back with it. Their names are the audit log's.
 */
export const AUDITED_WEBHOOK_EVENTS = [
  'mfa.totp_enrolled',
  'mfa.totp_disabled',
  'mfa.recovery_codes_regenerated',
  'mfa.recovery_code_used',
  'mfa.reset_by_admin',
  'passkey.registered',
  'passkey.removed',
  'identity.linked',
  'identity.unlinked',
  'role.granted',
  'role.revoked',
  'org.created',
  'org.updated',
  'org.deleted',
  'org.member_added',
  'org.member_role_changed',
  'org.member_removed',
  'org.invitation_accepted',
] as const;

/**
 * The events a webhook endpoint can subscribe to. A new area (MFA, passkeys,
 * identities, organizations) adds its types here and emits them with
 * `webhooks.emit(tx, type, user, extra)` in the transaction of its change.
 */
export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  /** Any change to the user's fields; `data.changed` names them (a password is named, never shown). */
  'user.updated',
  'user.verified',
  'user.deactivated',
  'user.activated',
  'user.deleted',
  'user.password_changed',
  /** `data.previous_email` is the address it had. */
  'user.email_changed',
  /** Sessions were ended together (sign out everywhere, a new password, a deactivation); `data.reason` says why. */
  'session.revoked_all',
  ...AUDITED_WEBHOOK_EVENTS,
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by the test button (`POST /webhooks/{id}/test`), to that endpoint, whatever it subscribes to. */
export const PING_EVENT = 'ping';
