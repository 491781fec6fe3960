/**
 * The dev mailbox answering the part of Mailpit's API that end-to-end suites use (the
 * FastAPI template's Playwright tests among them), so they run against `npm start` with
 * MAILCATCHER_HOST=http://localhost:8000/dev/mailbox and no mail server:
 *   GET /dev/mailbox/api/v1/search?query=to:EMAIL&limit=N   message summaries, newest first
 *   GET /dev/mailbox/view/ID.html                            a message's HTML body
 * Registered only when ENVIRONMENT=local (see app.ts), like the rest of the dev mailbox.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { OutboxRow } from '../db/schema.js';
import type { MailboxSearchTerm } from '../email/outbox.js';
import { HttpError } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { MAX_PAGE_LIMIT, MAX_TEXT_LENGTH } from '../http/schemas.js';

export const MAILPIT_PREFIX = '/dev/mailbox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SNIPPET_LENGTH = 250;

/**
 * Mailpit's query language, the part a test needs: space-separated words, each optionally
 * `to:` or `subject:` and optionally quoted (`to:"ann@example.com"`). Other prefixes are
 * searched as plain words rather than refused.
 */
export function parseMailpitQuery(query: string): MailboxSearchTerm[] {
  const terms: MailboxSearchTerm[] = [];
  for (const match of query.matchAll(/(?:(\w+):)?(?:"([^"]*)"|(\S+))/g)) {
    const prefix = match[1]?.toLowerCase();
    const word = match[2] ?? match[3] ?? '';
    if (word === '') continue;
    const field = prefix === 'to' || prefix === 'subject' ? prefix : 'any';
    terms.push({ field, word: field === 'any' && prefix ? `${prefix}:${word}` : word });
  }
  return terms;
}

/** Tells the web app on every API answer where mail can be read, so it can link there (local only). */
export const DEV_MAILBOX_HEADER = 'x-roster-dev-mailbox';

export function announceDevMailbox(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header(DEV_MAILBOX_HEADER, MAILPIT_PREFIX);
  });
}

export const mailpitRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const sender = { Name: ctx.config.projectName, Address: ctx.config.smtp?.fromEmail ?? '' };
  const summary = (row: OutboxRow) => ({
    ID: row.id,
    MessageID: row.messageId.replace(/^<|>$/g, ''),
    Read: false,
    From: sender,
    To: [{ Name: '', Address: row.toAddress }],
    Cc: [],
    Bcc: [],
    ReplyTo: [],
    Subject: row.subject,
    Created: row.createdAt.toISOString(),
    Tags: [],
    Size: Buffer.byteLength(row.html) + Buffer.byteLength(row.text),
    Attachments: 0,
    Snippet: row.text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH),
  });

  app.get(
    `${MAILPIT_PREFIX}/api/v1/search`,
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          query: Type.String({ maxLength: MAX_TEXT_LENGTH, default: '' }),
          start: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
          limit: Type.Integer({ minimum: 0, maximum: MAX_PAGE_LIMIT, default: 50 }),
        }),
      },
    },
    async (request) => {
      const { query, start, limit } = request.query;
      const [found, everything] = await Promise.all([
        ctx.outbox.search(parseMailpitQuery(query), start, limit),
        ctx.outbox.list(0, 0),
      ]);
      return {
        total: everything.count,
        unread: everything.count,
        count: found.rows.length,
        messages_count: found.count,
        messages_unread: found.count,
        start,
        tags: [],
        messages: found.rows.map(summary),
      };
    },
  );

  app.get(`${MAILPIT_PREFIX}/view/:file`, { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const id = file.endsWith('.html') ? file.slice(0, -'.html'.length) : '';
    const row = UUID.test(id) ? await ctx.outbox.get(id) : null;
    if (!row) throw new HttpError(404, 'Not Found');
    return reply.type('text/html; charset=utf-8').send(row.html);
  });
};
