import type { UserRow } from '../db/schema.js';

/** The contract's UserPublic: never a password or hash; `roles` when known. */
export function toUserPublic(user: UserRow & { roles?: readonly string[] }) {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_verified: user.isVerified,
    mfa_enabled: user.mfaEnabled,
    created_at: user.createdAt.toISOString(),
    ...(user.roles && { roles: [...user.roles] }),
  };
}
