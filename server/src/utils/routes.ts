/** /utils: health check and a test email. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MailNotConfiguredError } from '../email/mailer.js';
import { testEmail } from '../email/templates.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { Email, errorResponses, Message } from '../http/schemas.js';

export const utilsRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { mailer, config, outbox } = ctx;

  app.post(
    '/utils/test-email/',
    {
      // An operator's check of the mail settings: outside the permission catalogue.
      config: { permission: 'superuser' },
      schema: {
        tags: ['utils'],
        summary: 'Send a test email (superuser)',
        querystring: Type.Object({ email_to: Email }),
        response: { 201: Type.Ref(Message), ...errorResponses(401, 403, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const content = testEmail({ projectName: config.projectName, frontendHost: config.frontendHost });
      if (config.mailMode === 'mailbox') {
        // Local development without SMTP: the dev mailbox is where mail goes.
        await outbox.enqueue(ctx.db, 'test', request.query.email_to, content);
        return reply.code(201).send({ message: Messages.testEmailSent });
      }
      try {
        // Sent directly, not through the outbox: this route exists to report whether SMTP works.
        await mailer.send(request.query.email_to, content);
      } catch (error) {
        if (error instanceof MailNotConfiguredError) throw new HttpError(503, Messages.mailOff);
        request.log.warn({ err: error }, 'test email not sent');
        throw new HttpError(502, 'The mail server did not accept the message');
      }
      return reply.code(201).send({ message: Messages.testEmailSent });
    },
  );

  app.get(
    '/utils/health-check/',
    { schema: { tags: ['utils'], summary: 'Liveness', response: { 200: Type.Boolean() } } },
    async () => true,
  );
};
