import type { UserRow } from '../db/schema.js';

/** The contract's UserPublic: never a password or hash. */
export function toUserPublic(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_verified: user.isVerified,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt.toISOString(),
  };
}
