/**
 * The most common passwords, refused for new passwords. The list is zxcvbn-ts's
 * `passwords-common` dictionary (@zxcvbn-ts/language-common, MIT; ~49,000 entries
 * ranked by frequency in public breach corpora), lower-cased into a Set once, on
 * first use, so start-up and apps that turn the check off pay nothing.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | null = null;

function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));
  return common;
}

/** Is this password (in any letter case) on the list? */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** How many distinct passwords are refused. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}
