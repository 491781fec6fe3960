import type { UserRow } from '../db/schema.js';

/** Names of the fields that changed, as the API spells them; a password is named, never shown. */
export function changedFields(before: UserRow, after: UserRow): string[] {
  const fields: [string, unknown, unknown][] = [
    ['email', before.email, after.email],
    ['full_name', before.fullName, after.fullName],
    ['password', before.hashedPassword, after.hashedPassword],
    ['is_active', before.isActive, after.isActive],
    ['is_superuser', before.isSuperuser, after.isSuperuser],
    ['is_verified', before.isVerified, after.isVerified],
  ];
  return fields.filter(([, a, b]) => a !== b).map(([name]) => name);
}
