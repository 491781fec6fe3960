/**
 * The last active superuser cannot lose the role (by demotion, deactivation or
 * deletion): someone must always be able to administer roles.
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../db/schema.js';

export class LastSuperuserError extends Error {
  constructor() {
    super('The last superuser cannot lose the role');
    this.name = 'LastSuperuserError';
  }
}

/**
 * Throws LastSuperuserError when `userId` is the only active superuser. Call it at
 * the start of the changing transaction: it locks every active superuser's row, so
 * two superusers demoting each other at once are decided one after the other (and
 * always in the same order, before any other lock on a user row, so they cannot
 * deadlock; a deletion locks its organizations' rows just before, see owner-rule.ts).
 */
export async function keepAnotherSuperuser(tx: Executor, userId: string): Promise<void> {
  const active = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
    .orderBy(users.id)
    .for('update');
  if (active.length > 0 && active.every((row) => row.id === userId)) throw new LastSuperuserError();
}
