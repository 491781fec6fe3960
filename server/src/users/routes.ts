/** /users: self-service account, sign-up, and administration (each admin route's permission in its config). */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller, callerSession } from '../auth/guards.js';
import { hasPassword } from '../auth/passwords.js';
import type { Executor } from '../db/client.js';
import type { UserRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { Cursor, decodeCursor, encodeCursor, NextCursor } from '../http/cursor.js';
import { requestOrigin } from '../http/origin.js';
import { Email, errorResponses, FullName, Message, NonEmptyText, Paging, Password, UserPublic, Uuid } from '../http/schemas.js';
import { MfaCode } from '../mfa/schemas.js';
import { OrgMessages } from '../orgs/errors.js';
import { SoleOwnerError } from '../orgs/owner-rule.js';
import { holds } from '../roles/access.js';
import { PERMISSIONS, SUPERUSER_ROLE } from '../roles/catalogue.js';
import { asRoleRefusal, requireManageable } from '../roles/refusals.js';
import { RoleMessages } from '../roles/service.js';
import { normalizeEmail } from './email-address.js';
import { toUserPublic } from './public.js';
import { userSort } from './queries.js';
import { EmailTakenError, USER_ORDERS } from './service.js';

/** The caller: UserPublic with the permissions their roles give them. */
const UserMe = Type.Object(
  {
    ...UserPublic.properties,
    roles: Type.Array(Type.String(), { description: 'The roles the caller holds (`superuser` first when held)' }),
    permissions: Type.Array(Type.String(), { description: 'Every permission those roles give, in catalogue order' }),
  },
  { $id: 'UserMe' },
);

const UsersPublic = Type.Object(
  { data: Type.Array(Type.Ref(UserPublic)), count: Type.Integer(), next_cursor: NextCursor },
  { $id: 'UsersPublic' },
);
const UserIdParams = Type.Object({ user_id: Uuid });
/** Path ids compare with stored ones in lower case (UUIDs are case-insensitive). */
const idOf = (params: { user_id: string }) => params.user_id.toLowerCase();

/** The fields only an admin may set, from the API's names to the service's. */
function adminFields(body: { full_name?: string | null; is_active?: boolean; is_superuser?: boolean; is_verified?: boolean }) {
  return { fullName: body.full_name, isActive: body.is_active, isSuperuser: body.is_superuser, isVerified: body.is_verified };
}

/** Re-throws a duplicate email as the given refusal; anything else unchanged. */
function onEmailTaken(status: number, detail: string) {
  return (error: unknown): never => {
    if (error instanceof EmailTakenError) throw new HttpError(status, detail);
    throw error;
  };
}

export const usersRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { users, guards, accountEmails, accountHooks: hooks, roles, reauth } = ctx;
  app.addSchema(UserMe);
  /** An organization always keeps an owner: its only owner's account is not deleted (UsersService.delete decides). */
  const refuseSoleOwner =
    (self: boolean) =>
    (error: unknown): never => {
      if (error instanceof SoleOwnerError) {
        throw new HttpError(409, OrgMessages.soleOwner(self ? 'You are' : 'This user is', error.organizations));
      }
      throw error;
    };
  const userResponse = { 200: Type.Ref(UserPublic), ...errorResponses(400, 401, 403, 404, 409, 422) };
  const messageResponse = { 200: Type.Ref(Message), ...errorResponses(400, 401, 403, 404, 422) };

  app.get(
    '/users/',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        description:
          'Pages through all users. Optional filters: `q` (case-insensitive substring of email or full name), ' +
          '`is_active`, `is_superuser`, `is_verified`, `mfa`; `order_by` is one of `created_at`, `email`, `full_name`, ' +
          'each optionally prefixed with `-` for descending (default `-created_at`). `count` counts the filtered set. ' +
          "For deep pages pass the previous page's `next_cursor` as `cursor` (same filters and `order_by`): " +
          'it costs what the first page does, where `skip` reads every skipped row.',
        querystring: Type.Object({
          ...Paging,
          q: Type.Optional(Type.String({ maxLength: 255 })),
          is_active: Type.Optional(Type.Boolean()),
          is_superuser: Type.Optional(Type.Boolean()),
          is_verified: Type.Optional(Type.Boolean()),
          mfa: Type.Optional(Type.Boolean({ description: 'Whether the user has a second factor' })),
          order_by: Type.Optional(Type.Union(USER_ORDERS.map((order) => Type.Literal(order)))),
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: UsersPublic, ...errorResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const query = request.query;
      const order = query.order_by ?? '-created_at';
      const sort = userSort(order.replace(/^-/, '') as 'created_at' | 'email' | 'full_name', order.startsWith('-'));
      const after = query.cursor
        ? decodeCursor(query.cursor, order, { validKey: sort.validKey, nullable: sort.keyset.nullable })
        : undefined;
      const page = await users.list({
        skip: query.skip,
        limit: query.limit,
        q: query.q?.trim() || undefined,
        isActive: query.is_active,
        isSuperuser: query.is_superuser,
        isVerified: query.is_verified,
        mfaEnabled: query.mfa,
        orderBy: order,
        after,
      });
      const next_cursor = page.next ? encodeCursor(order, page.next) : null;
      const held = await roles.roleNames(page.rows);
      return { data: page.rows.map((row) => toUserPublic({ ...row, roles: held.get(row.id) })), count: page.count, next_cursor };
    },
  );

  app.post(
    '/users/',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        description: 'Only a superuser creates a superuser (`is_superuser: true`).',
        body: Type.Object({
          email: Email,
          password: Password,
          full_name: Type.Optional(FullName),
          is_active: Type.Boolean({ default: true }),
          is_superuser: Type.Boolean({ default: false }),
          is_verified: Type.Boolean({ default: false }),
        }),
        response: userResponse,
      },
    },
    async (request) => {
      const body = request.body;
      if (body.is_superuser && !holds(caller(request), SUPERUSER_ROLE)) throw new HttpError(403, RoleMessages.permissionNotHeld);
      const user = await users
        .create(
          { ...adminFields(body), email: body.email, password: body.password },
          hooks.createdByAdmin(requestOrigin(request)),
        )
        .catch(onEmailTaken(400, Messages.adminDuplicateEmail));
      return toUserPublic(user);
    },
  );

  app.get(
    '/users/me',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'The caller, with their roles and permissions',
        response: { ...userResponse, 200: Type.Ref(UserMe) },
      },
    },
    async (request) => {
      const me = caller(request);
      return { ...toUserPublic(me), roles: [...me.roles], permissions: PERMISSIONS.filter((code) => me.permissions.has(code)) };
    },
  );

  app.patch(
    '/users/me',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Update own name or email',
        description:
          'A new email needs a recent sign-in: a password login within REAUTH_WINDOW_MINUTES, or `current_password` in ' +
          'the request; otherwise `403 Confirm your password to change your email`. With MFA on, outside that window ' +
          'the request also needs a `code` (TOTP or recovery code; without one, `403 Confirm your password and a code ' +
          'to change your email`). A wrong `current_password` is `400 Incorrect password`, a wrong `code` `400 Invalid ' +
          'authentication code`; both count as failed logins. The change applies at once, ends every other ' +
          'session, and the old address gets a link, valid 7 days, that puts it back and ends every session.',
        body: Type.Object({
          full_name: Type.Optional(FullName),
          email: Type.Optional(Email),
          current_password: Type.Optional(Password),
          code: Type.Optional(MfaCode),
        }),
        response: { ...userResponse, ...errorResponses(429) },
      },
    },
    async (request) => {
      const me = caller(request);
      const sessionId = callerSession(request);
      const origin = requestOrigin(request);
      const { email, current_password: currentPassword, code } = request.body;
      // A new spelling of the same address (its normal form unchanged) is not a new address.
      const emailChanges = email !== undefined && normalizeEmail(email) !== normalizeEmail(me.email);
      const recent = emailChanges ? await reauth.isRecent(sessionId) : true;
      if (currentPassword !== undefined) {
        if (!hasPassword(me)) throw new HttpError(400, Messages.noPassword);
        await reauth.requirePassword(me, currentPassword, origin, 'email_change');
      } else if (!recent) {
        await reauth.refused(origin, me.id, 'email_change', 'not_recent');
        // Without a password, a fresh sign-in (with a provider) is the only confirmation there is.
        if (!hasPassword(me)) throw new HttpError(403, Messages.signInAgainForEmail);
        throw new HttpError(403, me.mfaEnabled ? Messages.confirmPasswordAndCodeForEmail : Messages.confirmPasswordForEmail);
      }
      // Outside the window, a password alone is one factor of two: the second is asked for too.
      if (!recent && me.mfaEnabled) {
        if (code === undefined) {
          await reauth.refused(origin, me.id, 'email_change', 'not_recent');
          throw new HttpError(403, Messages.confirmPasswordAndCodeForEmail);
        }
        await reauth.requireCode(me, code, origin);
      }
      const updated = await users
        .update(me.id, { fullName: request.body.full_name, email }, hooks.updatedBySelf(origin, sessionId))
        .catch(onEmailTaken(409, Messages.emailTaken));
      if (!updated) throw new HttpError(404, Messages.userNotFound);
      return toUserPublic(updated);
    },
  );

  app.post(
    '/users/restore-email',
    {
      schema: {
        tags: ['users'],
        summary: 'Put back the email address an account had, with the link sent to it',
        description:
          'The link is sent to the old address when a user changes their email; it is single-use and valid 7 days. ' +
          'The account gets the old address back (verified) and every session ends.',
        body: Type.Object({ token: NonEmptyText }),
        response: { ...messageResponse, ...errorResponses(409) },
      },
    },
    async (request) => {
      const restored = await users
        .restoreEmail(request.body.token, hooks.emailRestored(requestOrigin(request)))
        .catch(onEmailTaken(409, Messages.emailTaken));
      if (!restored) throw new HttpError(400, Messages.invalidToken);
      return { message: Messages.emailRestored };
    },
  );

  app.delete(
    '/users/me',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Delete own account and items',
        description: 'The only owner of an organization is refused (`409`) until it has another owner or is deleted.',
        response: { ...messageResponse, ...errorResponses(409) },
      },
    },
    async (request) => {
      const me = caller(request);
      if (me.isSuperuser) throw new HttpError(403, Messages.superuserSelfDelete);
      await users.delete(me.id, hooks.deleted(requestOrigin(request), me.id, true)).catch(refuseSoleOwner(true));
      return { message: Messages.userDeleted };
    },
  );

  app.patch(
    '/users/me/password',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Change own password',
        description:
          'Wrong `current_password` values count as failed logins: the same per-address and per-account limits and ' +
          'lockout (`429` with `Retry-After`). The owner is mailed a notice; every other session ends. An account ' +
          'without a password (created by a sign-in provider) gets `400` with how to set one: a password-reset link.',
        body: Type.Object({ current_password: Password, new_password: Password }),
        response: { ...messageResponse, ...errorResponses(429) },
      },
    },
    async (request) => {
      const me = caller(request);
      const origin = requestOrigin(request);
      const { current_password: current, new_password: next } = request.body;
      if (!hasPassword(me)) throw new HttpError(400, Messages.noPassword);
      // The lockout and the login limits (security/hooks.ts) have already counted this attempt.
      await reauth.requirePassword(me, current, origin, 'password_change');
      if (current === next) throw new HttpError(400, Messages.samePassword);
      await users.setPassword(me.id, next, hooks.passwordChanged(origin, me, callerSession(request)));
      return { message: Messages.passwordUpdated };
    },
  );

  app.post(
    '/users/signup',
    {
      schema: {
        tags: ['users'],
        summary: 'Sign up',
        description:
          'Creates an active, non-superuser, unverified account. With the `invitation_token` of an invitation link ' +
          'that is live and was sent to this address (compared by normal form), the account is created verified and ' +
          "joins the invitation's organization (the link proves the mailbox); with any other token, as without one.",
        body: Type.Object({
          email: Email,
          password: Password,
          full_name: Type.Optional(FullName),
          invitation_token: Type.Optional(NonEmptyText),
        }),
        response: userResponse,
      },
    },
    async (request) => {
      const { email, password, full_name, invitation_token: invitationToken } = request.body;
      const origin = requestOrigin(request);
      let account: UserRow | null = null;
      const join = invitationToken
        ? async (tx: Executor, user: UserRow) => {
            account = await ctx.orgInvitations.acceptAtSignup(tx, user, invitationToken, { ...origin, actorId: user.id });
            return account;
          }
        : undefined;
      const user = await users
        .create({ email, password, fullName: full_name }, hooks.signedUp(origin, join))
        .catch(onEmailTaken(400, Messages.signupDuplicateEmail));
      return toUserPublic(account ?? user);
    },
  );

  app.post(
    '/users/verify-email',
    {
      schema: {
        tags: ['users'],
        summary: 'Verify an email address with the emailed token',
        description: 'Single-use; expires after EMAIL_RESET_TOKEN_EXPIRE_HOURS; valid only for the address it was sent to.',
        body: Type.Object({ token: NonEmptyText }),
        response: messageResponse,
      },
    },
    async (request) => {
      const verified = await users.verifyEmail(request.body.token, hooks.emailVerified(requestOrigin(request)));
      if (!verified) throw new HttpError(400, Messages.invalidToken);
      return { message: Messages.emailVerified };
    },
  );

  app.post(
    '/users/me/verification-email',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Send a new verification link to the caller',
        description: 'At most one per minute per user (`429` with `Retry-After` otherwise).',
        response: { ...messageResponse, ...errorResponses(429, 503) },
      },
    },
    async (request, reply) => {
      if (!accountEmails.enabled) throw new HttpError(503, Messages.mailOff);
      const result = await accountEmails.resendVerification(caller(request).id);
      if (result.outcome === 'already-verified') throw new HttpError(400, Messages.alreadyVerified);
      if (result.outcome === 'too-soon') {
        throw new HttpError(429, Messages.verificationTooSoon, { 'Retry-After': String(result.retryAfterSeconds) });
      }
      return reply.send({ message: Messages.verificationSent });
    },
  );

  app.get(
    '/users/:user_id',
    {
      // Anyone reads their own record; without users:read others learn nothing, not even whether the id exists.
      config: { permission: 'users:read', permissionOrSelf: 'user_id' },
      schema: { tags: ['users'], summary: 'A user by id', params: UserIdParams, response: userResponse },
    },
    async (request) => {
      const me = caller(request);
      if (idOf(request.params) === me.id) return toUserPublic(me);
      const user = await users.getById(idOf(request.params));
      if (!user) throw new HttpError(404, Messages.userNotFound);
      return toUserPublic(await roles.withAccess(user));
    },
  );

  app.patch(
    '/users/:user_id',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Update a user',
        description:
          'Not a user who holds a permission the caller lacks (`403`); `is_superuser` is the superuser role: only a ' +
          'superuser changes it, and the last active superuser keeps it (`409`).',
        params: UserIdParams,
        body: Type.Object({
          email: Type.Optional(Email),
          password: Type.Optional(Password),
          full_name: Type.Optional(FullName),
          is_active: Type.Optional(Type.Boolean()),
          is_superuser: Type.Optional(Type.Boolean()),
          is_verified: Type.Optional(Type.Boolean()),
        }),
        response: userResponse,
      },
    },
    async (request) => {
      const me = caller(request);
      const id = idOf(request.params);
      const body = request.body;
      const target = await users.getById(id);
      if (!target) throw new HttpError(404, Messages.noUserWithId);
      if (id === me.id && (body.is_active === false || body.is_superuser === false)) {
        throw new HttpError(403, Messages.superuserSelfDemote);
      }
      await requireManageable(roles, me, target);
      const superuserChanges = body.is_superuser !== undefined && body.is_superuser !== target.isSuperuser;
      if (superuserChanges && !holds(me, SUPERUSER_ROLE)) throw new HttpError(403, RoleMessages.permissionNotHeld);
      const updated = await users
        .update(
          id,
          { ...adminFields(body), email: body.email, password: body.password },
          hooks.updatedByAdmin(requestOrigin(request), callerSession(request)),
        )
        .catch(onEmailTaken(409, Messages.emailTaken))
        .catch(asRoleRefusal);
      if (!updated) throw new HttpError(404, Messages.noUserWithId);
      return toUserPublic(await roles.withAccess(updated));
    },
  );

  app.delete(
    '/users/:user_id',
    {
      config: { permission: 'users:delete' },
      schema: {
        tags: ['users'],
        summary: 'Delete a user and their items',
        description:
          'Not a user who holds a permission the caller lacks (`403`). The only owner of an organization is refused (`409`) ' +
          'until it has another owner or is deleted.',
        params: UserIdParams,
        response: { ...messageResponse, ...errorResponses(409) },
      },
    },
    async (request) => {
      const me = caller(request);
      const id = idOf(request.params);
      const target = await users.getById(id);
      if (!target) throw new HttpError(404, Messages.userNotFound);
      if (id === me.id) throw new HttpError(403, Messages.superuserSelfDelete);
      await requireManageable(roles, me, target);
      await users
        .delete(id, hooks.deleted(requestOrigin(request), id, false))
        .catch(refuseSoleOwner(false))
        .catch(asRoleRefusal);
      return { message: Messages.userDeleted };
    },
  );
};
