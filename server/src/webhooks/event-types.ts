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
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by the test button (`POST /webhooks/{id}/test`), to that endpoint, whatever it subscribes to. */
export const PING_EVENT = 'ping';
