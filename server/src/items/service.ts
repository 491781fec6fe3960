/**
 * The example resource: items owned by users. Holders of `items:read_all` see every
 * item, holders of `items:write_all` change every item; others only their own.
 * Ownership is checked here, not in the route.
 */
import { and, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { afterPosition, asTimestamp, type KeysetOrder, type KeysetPosition, timestampText } from '../db/keyset.js';
import { type ItemRow, items, users } from '../db/schema.js';
import type { Permission } from '../roles/catalogue.js';
import { userGone } from '../users/user-gone.js';

export interface Viewer {
  id: string;
  permissions: ReadonlySet<Permission>;
}

/** Reading an item, or changing (or deleting) it. */
export type ItemIntent = 'read' | 'write';
const ALL_ITEMS: Record<ItemIntent, Permission> = { read: 'items:read_all', write: 'items:write_all' };

export type ItemWithOwner = ItemRow & { ownerEmail: string | null };

export type ItemAccess = { outcome: 'ok'; item: ItemRow } | { outcome: 'not-found' } | { outcome: 'forbidden' };

export interface ItemChanges {
  title?: string;
  description?: string | null;
}

/** The only order of the item list, as a keyset. */
export const ITEM_ORDER: KeysetOrder = {
  key: items.createdAt,
  id: items.id,
  descending: true,
  nullable: false,
  cast: asTimestamp,
};

export class ItemsService {
  constructor(private readonly db: Database) {}

  /**
   * An `items:read_all` page holds every item with its owner's email; anyone else's only their own items.
   * Newest first; `after` (a previous page's last row) pages by keyset, `skip` still applies after it.
   */
  async list(
    viewer: Viewer,
    skip: number,
    limit: number,
    after?: KeysetPosition,
  ): Promise<{ rows: ItemWithOwner[]; count: number; next: KeysetPosition | null }> {
    const readsAll = viewer.permissions.has(ALL_ITEMS.read);
    const where = readsAll ? undefined : eq(items.ownerId, viewer.id);
    const [found, [total]] = await Promise.all([
      this.db
        .select({ item: items, ownerEmail: users.email, sortKey: timestampText(items.createdAt) })
        .from(items)
        .innerJoin(users, eq(users.id, items.ownerId))
        .where(after ? and(where, afterPosition(ITEM_ORDER, after)) : where)
        .orderBy(desc(items.createdAt), desc(items.id))
        .offset(skip)
        // One row more than asked tells whether there is a next page.
        .limit(limit + 1),
      this.db.select({ value: count() }).from(items).where(where),
    ]);
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    return {
      rows: page.map(({ item, ownerEmail }) => ({ ...item, ownerEmail: readsAll ? ownerEmail : null })),
      count: Number(total?.value ?? 0),
      next: found.length > limit && last ? { key: last.sortKey, id: last.item.id } : null,
    };
  }

  /** Throws UserGoneError when the owner was deleted after the caller's checks. */
  async create(ownerId: string, title: string, description: string | null): Promise<ItemRow> {
    try {
      const [row] = await this.db.insert(items).values({ ownerId, title, description }).returning();
      return row as ItemRow;
    } catch (error) {
      throw userGone(error);
    }
  }

  /** Not found is decided before permission, as the contract orders them. */
  async access(viewer: Viewer, id: string, intent: ItemIntent): Promise<ItemAccess> {
    const [item] = await this.db.select().from(items).where(eq(items.id, id));
    if (!item) return { outcome: 'not-found' };
    if (!viewer.permissions.has(ALL_ITEMS[intent]) && item.ownerId !== viewer.id) return { outcome: 'forbidden' };
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
