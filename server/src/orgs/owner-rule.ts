/**
 * The owner rule on every path that deletes an account: an organization always keeps
 * at least one owner, so the account of an organization's only owner is not deleted.
 * UsersService.delete runs it inside the deleting transaction (the API's two delete
 * routes and the CLI all go through it). It locks the organization rows as the owner
 * changes do (OrganizationsService.lockFor), so a deletion and a concurrent demotion or
 * removal of the other owner run one after the other: the second sees the first's
 * result, and whichever would leave no owner is refused.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { organizations, orgMembers } from '../db/schema.js';

/** The account is the only owner of these organizations (their names, sorted). */
export class SoleOwnerError extends Error {
  constructor(readonly organizations: string[]) {
    super(`the only owner of ${organizations.join(', ')}`);
    this.name = 'SoleOwnerError';
  }
}

/**
 * Throws SoleOwnerError when `userId` is the only owner of some organization. Call it
 * first in the deleting transaction, before any lock on a user row: the organizations
 * are locked in id order, as every deletion does, so two deletions cannot deadlock.
 */
export async function keepOrganizationsOwned(tx: Executor, userId: string): Promise<void> {
  // Every organization the user belongs to, not only those they own: a concurrent
  // promotion (which holds its organization's lock) must finish before the count below.
  const memberOf = tx.select({ orgId: orgMembers.orgId }).from(orgMembers).where(eq(orgMembers.userId, userId));
  await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(inArray(organizations.id, memberOf))
    .orderBy(asc(organizations.id))
    .for('update');
  // A new statement: it sees every change committed before the locks were granted.
  const owners = sql`(SELECT count(*) FROM ${orgMembers} AS owner WHERE owner.org_id = ${orgMembers.orgId} AND owner.role = 'owner')`;
  const sole = await tx
    .select({ name: organizations.name })
    .from(orgMembers)
    .innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
    .where(and(eq(orgMembers.userId, userId), eq(orgMembers.role, 'owner'), sql`${owners} = 1`))
    .orderBy(asc(organizations.name));
  if (sole.length > 0) throw new SoleOwnerError(sole.map((row) => row.name));
}
