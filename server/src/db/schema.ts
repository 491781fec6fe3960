/**
 * The tables, as Drizzle sees them. Migrations in `../../migrations` are generated
 * from this file (`npm run db:generate`) and committed; they are what builds the
 * database, so keep their SQL within PostgreSQL 15.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'user',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: varchar('email', { length: 255 }).notNull(),
    hashedPassword: text('hashed_password').notNull(),
    fullName: varchar('full_name', { length: 255 }),
    isActive: boolean('is_active').notNull().default(true),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    isVerified: boolean('is_verified').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // One address is one account whatever its case; the index is what decides races.
    uniqueIndex('user_email_lower_key').on(sql`lower(${table.email})`),
    index('user_created_at_idx').on(table.createdAt.desc(), table.id.desc()),
  ],
);

export const items = pgTable(
  'item',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: varchar('title', { length: 255 }).notNull(),
    description: varchar('description', { length: 255 }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('item_owner_created_at_idx').on(table.ownerId, table.createdAt.desc()),
    index('item_created_at_idx').on(table.createdAt.desc(), table.id.desc()),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type ItemRow = typeof items.$inferSelect;
