/**
 * The tables, as Drizzle sees them. Migrations in `../../migrations` are generated
 * from this file (`npm run db:generate`) and committed; they are what builds the
 * database, so keep their SQL within PostgreSQL 15.
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

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

export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: text('message_id').notNull(),
    kind: varchar('kind', { length: 40 }).notNull(),
    toAddress: varchar('to_address', { length: 255 }).notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    status: varchar('status', { length: 16 }).$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sendAfter: timestamp('send_after', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('email_outbox_message_id_key').on(table.messageId),
    index('email_outbox_due_idx').on(table.sendAfter).where(sql`${table.status} = 'pending'`),
    index('email_outbox_created_at_idx').on(table.createdAt),
  ],
);

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'kept';
export type OutboxRow = typeof emailOutbox.$inferSelect;

export const userTokens = pgTable(
  'user_token',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: varchar('purpose', { length: 32 }).$type<TokenPurpose>().notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    email: varchar('email', { length: 255 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('user_token_hash_key').on(table.tokenHash),
    index('user_token_user_purpose_idx').on(table.userId, table.purpose, table.createdAt.desc()),
  ],
);

export type TokenPurpose = 'password_reset' | 'email_verification';
