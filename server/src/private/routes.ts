/**
 * /private: account creation without authentication, for seeding and tests on a
 * developer's machine. Registered only when ENVIRONMENT=local (see app.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { privateRouteGuard } from '../http/local-only.js';
import { requestOrigin } from '../http/origin.js';
import { Email, errorResponses, Message, NonEmptyText, Paging, UserPublic } from '../http/schemas.js';
import { toUserPublic } from '../users/public.js';
import { EmailTakenError } from '../users/service.js';

export const privateRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  // Encapsulated: applies to the routes of this plugin only.
  app.addHook('onRequest', privateRouteGuard(ctx.config));

  app.post(
    '/private/users/',
    {
      schema: {
        tags: ['private'],
        summary: 'Create a user without authentication (ENVIRONMENT=local only)',
        body: Type.Object({
          email: Email,
          password: NonEmptyText,
          full_name: Type.String({ minLength: 1, maxLength: 255 }),
          is_verified: Type.Boolean({ default: false }),
        }),
        response: { 200: Type.Ref(UserPublic), ...errorResponses(409, 422) },
      },
    },
    async (request) => {
      const { email, password, full_name, is_verified } = request.body;
      try {
        const user = await ctx.users.create(
          { email, password, fullName: full_name, isVerified: is_verified },
          ctx.accountHooks.createdByPrivateRoute(requestOrigin(request)),
        );
        return toUserPublic(user);
      } catch (error) {
        if (error instanceof EmailTakenError) throw new HttpError(409, Messages.emailTaken);
        throw error;
      }
    },
  );

  const MailboxEntry = Type.Object({
    id: Type.String(),
    message_id: Type.String(),
    kind: Type.String(),
    to: Type.String(),
    subject: Type.String(),
    html: Type.String(),
    text: Type.String(),
    status: Type.String({ description: 'kept (dev mailbox), pending, sent or failed' }),
    created_at: Type.String({ format: 'date-time' }),
  });

  app.get(
    '/private/emails/',
    {
      schema: {
        tags: ['private'],
        summary: 'The dev mailbox: every email Roster wrote, newest first (ENVIRONMENT=local only)',
        description: 'With ENVIRONMENT=local and no SMTP_HOST, mail is kept here instead of being sent.',
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ data: Type.Array(MailboxEntry), count: Type.Integer() }), ...errorResponses(422) },
      },
    },
    async (request) => {
      const page = await ctx.outbox.list(request.query.skip, request.query.limit);
      return {
        data: page.rows.map((row) => ({
          id: row.id,
          message_id: row.messageId,
          kind: row.kind,
          to: row.toAddress,
          subject: row.subject,
          html: row.html,
          text: row.text,
          status: row.status,
          created_at: row.createdAt.toISOString(),
        })),
        count: page.count,
      };
    },
  );

  app.delete(
    '/private/emails/',
    {
      schema: {
        tags: ['private'],
        summary: 'Empty the dev mailbox (ENVIRONMENT=local only)',
        response: { 200: Type.Ref(Message) },
      },
    },
    async () => {
      await ctx.outbox.clear();
      return { message: 'Mailbox emptied' };
    },
  );
};
