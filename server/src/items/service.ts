/**
 * The example resource: items owned by users. Superusers see and change every
 * item; others only their own. Ownership is checked here, not in the route.
 */
import { count, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ItemRow, items, users } from '../db/schema.js';

export interface Viewer {
  id: string;
  isSuperuser: boolean;
}

export type ItemWithOwner = ItemRow & { ownerEmail: string | null };

export type ItemAccess = { outcome: 'ok'; item: ItemRow } | { outcome: 'not-found' } | { outcome: 'forbidden' };

export interface ItemChanges {
  title?: string;
  description?: string | null;
}

export class ItemsService {
  constructor(private readonly db: Database) {}

  /** A superuser's page carries each owner's email; a user's page only holds their own items. */
  async list(viewer: Viewer, skip: number, limit: number): Promise<{ rows: ItemWithOwner[]; count: number }> {
    const where = viewer.isSuperuser ? undefined : eq(items.ownerId, viewer.id);
    const [rows, [total]] = await Promise.all([
      this.db
        .select({ item: items, ownerEmail: users.email })
        .from(items)
        .innerJoin(users, eq(users.id, items.ownerId))
        .where(where)
        .orderBy(desc(items.createdAt), desc(items.id))
        .offset(skip)
        .limit(limit),
      this.db.select({ value: count() }).from(items).where(where),
    ]);
    return {
      rows: rows.map(({ item, ownerEmail }) => ({ ...item, ownerEmail: viewer.isSuperuser ? ownerEmail : null })),
      count: Number(total?.value ?? 0),
    };
  }

  async create(ownerId: string, title: string, description: string | null): Promise<ItemRow> {
    const [row] = await this.db.insert(items).values({ ownerId, title, description }).returning();
    return row as ItemRow;
  }

  /** Not found is decided before permission, as the contract orders them. */
  async access(viewer: Viewer, id: string): Promise<ItemAccess> {
    const [item] = await this.db.select().from(items).where(eq(items.id, id));
    if (!item) return { outcome: 'not-found' };
    if (!viewer.isSuperuser && item.ownerId !== viewer.id) return { outcome: 'forbidden' };
    return { outcome: 'ok', item };
  }

  async update(id: string, changes: ItemChanges): Promise<ItemRow | null> {
    if (changes.title === undefined && changes.description === undefined) {
      const [row] = await this.db.select().from(items).where(eq(items.id, id));
      return row ?? null;
    }
    const [row] = await this.db.update(items).set(changes).where(eq(items.id, id)).returning();
    return row ?? null;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(items).where(eq(items.id, id));
  }
}
