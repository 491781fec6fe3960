// The small rules of the second factor the pages share: what a typed code becomes before it is
// sent, how a secret is shown for typing, what the recovery-codes file says, and how the
// login's "second step needed" answer is recognised.

/** An authenticator app's code: six digits. */
export const TOTP_DIGITS = 6;

/**
 * What to send for a typed code. Authenticator apps show "123 456" and people paste "123-456"
 * or a trailing space; for six digits those separators go. Anything else is a recovery code,
 * sent as typed apart from whitespace (the server decides what matches).
 */
export function normalizeCode(input: string): string {
  const compact = input.replace(/\s+/g, '');
  const digits = compact.replace(/[-.]/g, '');
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits) ? digits : compact;
}

/** Only an authenticator code (six digits) is accepted where a recovery code cannot be. */
export function isTotpCode(input: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(normalizeCode(input));
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** The issuer an otpauth URI names (its `issuer` parameter, else the label's prefix). */
export function otpauthIssuer(uri: string): string | null {
  try {
    const url = new URL(uri);
    const issuer = url.searchParams.get('issuer');
    if (issuer) return issuer;
    const label = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
    const colon = label.indexOf(':');
    return colon > 0 ? label.slice(0, colon) : null;
  } catch {
    return null;
  }
}

/**
 * The text file of recovery codes a person keeps: where they are for, when they were made,
 * that each works once, and the codes one per line (CRLF, so Notepad shows lines too).
 */
export function recoveryCodesText({
  codes,
  account,
  site,
  createdAt,
}: {
  codes: readonly string[];
  account: string;
  site: string;
  createdAt: Date;
}): string {
  const lines = [
    `Recovery codes for ${account} at ${site}`,
    `Created ${createdAt.toISOString().slice(0, 10)}. Each code works once. Creating new codes voids these.`,
    'Use one when you cannot use your authenticator app. Keep this file somewhere safe.',
    '',
    ...codes,
    '',
  ];
  return lines.join('\r\n');
}

/** A file name that says what it is and whose: "recovery-codes-example.com.txt". */
export function recoveryCodesFileName(site: string): string {
  const safe = site
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return safe ? `recovery-codes-${safe}.txt` : 'recovery-codes.txt';
}

export type MfaChallenge =
  | { kind: 'code'; mfaToken: string; methods: string[] }
  | { kind: 'setup'; mfaToken: string; detail: string };

export const MFA_SETUP_REQUIRED = 'Multi-factor authentication setup required';

/**
 * The login's answer when a password is not enough: 403 with an `mfa_token`, either for the
 * second step or (MFA_REQUIRED without a factor yet) for setting one up. Null otherwise.
 */
export function mfaChallengeFrom(status: number, body: unknown): MfaChallenge | null {
  if (status !== 403 || typeof body !== 'object' || body === null) return null;
  const { mfa_token: mfaToken, detail, methods } = body as { mfa_token?: unknown; detail?: unknown; methods?: unknown };
  if (typeof mfaToken !== 'string' || mfaToken === '') return null;
  if (detail === MFA_SETUP_REQUIRED) return { kind: 'setup', mfaToken, detail };
  const named = Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : [];
  return { kind: 'code', mfaToken, methods: named.length > 0 ? named : ['totp', 'recovery_code'] };
}

/** Save `text` as a file through the browser's download. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the object URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The server's QR code as an image source. An <img> never runs what an SVG might contain,
 * which inlining the markup into the page would.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Form check for a field that takes only an authenticator code. */
export function totpCodeCheck(value: string): string | undefined {
  if (value.trim() === '') return 'Code is required';
  return isTotpCode(value) ? undefined : `Enter the ${TOTP_DIGITS}-digit code from your app`;
}
