/**
 * The one form in which Roster compares email addresses. Accounts store it in
 * `user.email_normalized` (with the unique index); logins, lookups, duplicate
 * checks, rate-limit and lockout keys and the CLI all compare on it, never on the
 * address as typed, which is kept only to be shown and mailed to.
 *
 * The local part (before the last `@`) is trimmed, NFKC-normalised (full-width and
 * other compatibility spellings become the plain letters) and lower-cased by the
 * Unicode default mapping, which does not depend on a locale, unlike PostgreSQL's
 * `lower()`. Two artefacts of that mapping are folded: `İ` lower-cases to `i` plus a
 * combining dot above, and the dot is dropped because `i` and `j` already carry
 * one; and the word-final sigma `ς` becomes `σ`, since lower-casing picks between
 * them by position alone.
 *
 * The domain is put in its IDNA (UTS #46, non-transitional) ASCII form, the
 * punycode `xn--…` labels that DNS and mail servers use. ASCII is canonical where
 * Unicode is not (an A-label and its U-label name the same host), and IDNA decides
 * which spellings are one domain: `GMAIL.com` and full-width `ｇmail.com` are
 * `gmail.com`, but `gmaİl.com` is the distinct, registrable `xn--gmail-bgd.com`, so
 * its owner cannot claim the accounts of `gmail.com`. A domain IDNA refuses is
 * folded like a local part instead, so every string has a normal form (a login's
 * username is not checked to be an address at all).
 *
 * For an address that is plain ASCII the normal form is the trimmed address in
 * lower case: migration 0008 relies on that to fill the column in SQL.
 */
import { toASCII } from 'tr46';

export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return foldText(trimmed);
  return `${foldText(trimmed.slice(0, at))}@${canonicalDomain(trimmed.slice(at + 1))}`;
}

function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/([ij])\u0307/g, '$1')
    .replaceAll('ς', 'σ')
    .normalize('NFKC');
}

function canonicalDomain(domain: string): string {
  const ascii = toASCII(domain, { checkBidi: true, checkJoiners: true, transitionalProcessing: false });
  return ascii ?? foldText(domain);
}
