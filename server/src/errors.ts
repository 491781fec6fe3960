/**
 * The error shapes of the API contract, in one place:
 *   `{"detail": "<message>"}` for every refusal, and
 *   `422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` for invalid input.
 */

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Invalid client input found outside JSON-Schema validation (parsing, hostile strings). */
export class ValidationError extends Error {
  readonly statusCode = 422;
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((issue) => issue.msg).join('; '));
    this.name = 'ValidationError';
  }
}

/** The messages of the contract, named once so routes, services and tests agree. */
export const Messages = {
  notAuthenticated: 'Not authenticated',
  badCredentials: 'Could not validate credentials',
  userNotFound: 'User not found',
  inactiveUser: 'Inactive user',
  notEnoughPrivileges: "The user doesn't have enough privileges",
  incorrectLogin: 'Incorrect email or password',
  invalidToken: 'Invalid token',
  recoverySent: 'If that email is registered, we sent a password recovery link',
  passwordUpdated: 'Password updated successfully',
  noUserWithUsername: 'The user with this username does not exist in the system.',
  adminDuplicateEmail: 'The user with this email already exists in the system.',
  signupDuplicateEmail: 'The user with this email already exists in the system',
  emailTaken: 'User with this email already exists',
  userDeleted: 'User deleted successfully',
  superuserSelfDelete: 'Super users are not allowed to delete themselves',
  superuserSelfDemote: 'Super users are not allowed to demote or deactivate themselves',
  incorrectPassword: 'Incorrect password',
  samePassword: 'New password cannot be the same as the current one',
  noUserWithId: 'The user with this id does not exist in the system',
  itemNotFound: 'Item not found',
  notEnoughPermissions: 'Not enough permissions',
  itemDeleted: 'Item deleted successfully',
  testEmailSent: 'Test email sent',
  emailNotVerified: 'Email not verified',
  emailVerified: 'Email verified successfully',
  verificationSent: 'Verification email sent',
  alreadyVerified: 'Email already verified',
  verificationTooSoon: 'A verification email was sent less than a minute ago; please wait before asking again',
  mailOff: 'Email is not configured',
  invalidRefreshToken: 'Invalid refresh token',
  loggedOut: 'Signed out',
  sessionNotFound: 'Session not found',
  sessionRevoked: 'Session signed out',
  confirmPasswordForEmail: 'Confirm your password to change your email',
  confirmPasswordAndCodeForEmail: 'Confirm your password and a code to change your email',
  emailRestored: 'Email address restored; every session was signed out',
  /** An account a sign-in provider created (or imported without one) has no password to confirm or change. */
  noPassword: 'This account has no password yet: set one with a password-reset link (Forgot password)',
  signInAgainForEmail: 'Sign in again to change your email',
  signInAgainForMfa: 'Sign in again to turn on two-factor authentication',
  passkeyChallenge: 'This passkey request expired or was already used; start again',
  passkeyUnknown: 'Passkey not recognised',
  passkeyNotVerified: 'Passkey could not be verified',
  passkeyCloneSuspected: 'Passkey refused: its authenticator may have been copied. Sign in another way and remove it',
  passkeyLimit: 'At most 10 passkeys per account; remove one first',
  passkeyDuplicate: 'This passkey is already registered',
  passkeyNotFound: 'Passkey not found',
  passkeyRemoved: 'Passkey removed',
  mfaRequired: 'Multi-factor authentication required',
  mfaSetupRequired: 'Multi-factor authentication setup required',
  invalidMfaCode: 'Invalid authentication code',
  invalidMfaToken: 'Invalid or expired MFA token',
  mfaCodeRequired: 'Enter a code from your authenticator app or a recovery code',
  totpAlreadyEnabled: 'Two-factor authentication is already on',
  totpNotEnabled: 'Two-factor authentication is not on',
  totpDisabled: 'Two-factor authentication turned off',
  mfaReset: 'Multi-factor authentication was reset',
  deviceNotFound: 'Device not found',
  deviceForgotten: 'Device forgotten',
  /** An access token's org_id/org_role no longer match the membership: the session is fine, a refresh gives a token that does. */
  orgClaimChanged: 'Organization membership changed: refresh the token',
} as const;
