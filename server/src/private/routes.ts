/**
 * /private: account creation without authentication, for seeding and tests on a
 * developer's machine. Registered only when ENVIRONMENT=local (see app.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { Email, errorResponses, UserPublic } from '../http/schemas.js';
import { toUserPublic } from '../users/public.js';
import { EmailTakenError } from '../users/service.js';

export const privateRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/private/users/',
    {
      schema: {
        tags: ['private'],
        summary: 'Create a user without authentication (ENVIRONMENT=local only)',
        body: Type.Object({
          email: Email,
          password: Type.String({ minLength: 1 }),
          full_name: Type.String({ minLength: 1, maxLength: 255 }),
          is_verified: Type.Boolean({ default: false }),
        }),
        response: { 200: Type.Ref(UserPublic), ...errorResponses(409, 422) },
      },
    },
    async (request) => {
      const { email, password, full_name, is_verified } = request.body;
      try {
        const user = await ctx.users.create({ email, password, fullName: full_name, isVerified: is_verified });
        return toUserPublic(user);
      } catch (error) {
        if (error instanceof EmailTakenError) throw new HttpError(409, Messages.emailTaken);
        throw error;
      }
    },
  );
};
