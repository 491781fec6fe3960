// Organizations in the web app: the active organization an access token carries, and what
// each role may do (the server decides; these only hide what it would refuse).

export type OrgRole = 'owner' | 'admin' | 'member';
export type OrgClaim = { id: string; role: OrgRole };

export const ORG_ROLES: OrgRole[] = ['owner', 'admin', 'member'];
export const ROLE_LABELS: Record<OrgRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** The server's answer when a token's organization claim is stale: refresh, do not sign out. */
export const ORG_CLAIM_CHANGED = 'Organization membership changed: refresh the token';

/**
 * The `org_id` and `org_role` claims of an access token (its payload is readable JSON; the
 * server checks the signature, so this only tells the page what the token says).
 */
export function orgClaimOf(token: string | null): OrgClaim | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as Record<
      string,
      unknown
    >;
    const { org_id: id, org_role: role } = claims;
    if (typeof id !== 'string' || !ORG_ROLES.includes(role as OrgRole)) return null;
    return { id, role: role as OrgRole };
  } catch {
    return null;
  }
}

/** "an owner", "an admin", "a member". */
export const withArticle = (role: OrgRole) => `${role === 'member' ? 'a' : 'an'} ${role}`;

/** Owners and admins edit the organization, invite, and manage members. */
export const canManageMembers = (role: OrgRole | null | undefined) => role === 'owner' || role === 'admin';

/**
 * The roles `actor` may give `target`'s membership: only owners make or change owners, and
 * nobody changes anything as a member.
 */
export function assignableRoles(actor: OrgRole | null | undefined, target: OrgRole): OrgRole[] {
  if (actor === 'owner') return ORG_ROLES;
  if (actor === 'admin' && target !== 'owner') return ['admin', 'member'];
  return [];
}

/** Whether `actor` may remove a member with role `target` (leaving is always offered separately). */
export const canRemove = (actor: OrgRole | null | undefined, target: OrgRole) =>
  actor === 'owner' || (actor === 'admin' && target !== 'owner');

/** A slug suggested from a name: "Acme Corp." → "acme-corp". */
export function slugFrom(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}
