/** Organization invitations in tests: the link's token, read from the mail in the outbox table. */
import { and, desc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { emailOutbox } from '../../src/db/schema.js';
import type { TestApp } from './app.js';

/** The token of the newest invitation mailed to `email` (mail goes to the local dev mailbox). */
export async function invitationToken(t: TestApp, email: string): Promise<string> {
  const [mail] = await t.ctx.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toAddress, email), eq(emailOutbox.kind, 'org_invitation')))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id));
  const token = /\/invitation\?token=([^"&<\s]+)/.exec(mail?.html ?? '')?.[1];
  if (!token) throw new Error(`no invitation mail to ${email}`);
  expect(mail?.text).toContain(`/invitation?token=${token}`);
  return decodeURIComponent(token);
}
