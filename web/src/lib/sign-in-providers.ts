// Sign-in with other providers: where the buttons go, and what each outcome code the
// server sends to /login/callback means, in words a user understands.
import { MFA_SETUP_REQUIRED, type MfaChallenge } from './mfa';

/** The server's start of a sign-in with `provider`; it redirects to the provider. */
export function authorizeHref(provider: string, redirectTo: string): string {
  const query = redirectTo && redirectTo !== '/' ? `?${new URLSearchParams({ redirect_to: redirectTo })}` : '';
  return `/api/v1/login/oauth/${encodeURIComponent(provider)}/authorize${query}`;
}

/** The codes of GET /login/oauth/{provider}/callback (server/src/identities/sign-in.ts). */
export const PROVIDER_ERROR_CODES = [
  'provider_refused',
  'provider_unavailable',
  'provider_error',
  'state_mismatch',
  'email_conflict',
  'signup_disabled',
  'no_email',
  'inactive',
  'unverified',
  'identity_taken',
  'already_linked',
] as const;

/** One sentence (or two) for each way a sign-in with a provider can end without one. */
export function providerErrorSentence(code: string, provider: string): string {
  switch (code) {
    case 'provider_refused':
      return `${provider} did not let you sign in (perhaps you cancelled). Try again, or sign in with your password.`;
    case 'provider_unavailable':
      return `${provider} cannot be reached right now. Try again in a few minutes, or sign in with your password.`;
    case 'provider_error':
      return `${provider}'s answer could not be checked, so you were not signed in. Try again; if it keeps happening, tell your administrator.`;
    case 'state_mismatch':
      return 'This sign-in link expired or was already used (they work once, for 10 minutes, in the browser that started them). Start again from the sign-in page.';
    case 'email_conflict':
      return `An account with your ${provider} email already exists, but we could not confirm it is yours. Sign in with your password, then link ${provider} from Settings.`;
    case 'signup_disabled':
      return `No account here uses your ${provider} email, and new accounts cannot be created this way. Ask an administrator for an account, or sign in another way.`;
    case 'no_email':
      return `${provider} did not share a verified email address, which a new account needs. Verify your email with ${provider} (for GitHub: make your primary email verified), or sign up with a password.`;
    case 'inactive':
      return 'Your account is deactivated. Contact an administrator to turn it back on.';
    case 'unverified':
      return 'Your email address is not verified yet. Open the link we emailed you, then sign in again.';
    case 'identity_taken':
      return `That ${provider} account is already linked to another account here. Sign in with it to use that account, or unlink it there first.`;
    case 'already_linked':
      return `Your account is already linked to a different ${provider} account. Unlink it in Settings first to link this one.`;
    default:
      return `Signing in with ${provider} did not work. Try again, or sign in with your password.`;
  }
}

/**
 * The second step a provider's sign-in still owes, from /login/callback's fragment
 * (`#mfa_token=…&methods=totp,recovery_code`, or `#mfa_token=…&mfa=setup` under MFA_REQUIRED).
 * The server puts it there, not in the query, so that it reaches no server log or Referer.
 */
export function mfaChallengeFromFragment(hash: string): MfaChallenge | null {
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const mfaToken = fragment.get('mfa_token');
  if (!mfaToken) return null;
  if (fragment.get('mfa') === 'setup') return { kind: 'setup', mfaToken, detail: MFA_SETUP_REQUIRED };
  const methods = (fragment.get('methods') ?? '').split(',').filter((method) => method !== '');
  return { kind: 'code', mfaToken, methods: methods.length > 0 ? methods : ['totp', 'recovery_code'] };
}
