/**
 * /roles: the role catalogue and custom roles (defining roles is the superuser's), and
 * PUT /users/{id}/roles: which roles a user holds. Each route's permission is in its
 * config (see route-permissions.ts); the grant rules are the service's.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller } from '../auth/guards.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, NullableString, UserPublic, Uuid } from '../http/schemas.js';
import { toUserPublic } from '../users/public.js';
import { PERMISSIONS, ROLE_NAME_PATTERN } from './catalogue.js';
import { asRoleRefusal } from './refusals.js';
import type { RoleView } from './service.js';

const PermissionCode = Type.Union(
  PERMISSIONS.map((code) => Type.Literal(code)),
  { description: 'A permission code from the catalogue' },
);
const RoleName = Type.String({ pattern: ROLE_NAME_PATTERN, maxLength: 63, description: 'Lower case letters, digits and `_`' });
const Description = NullableString({ maxLength: 255 });
const Permissions = Type.Array(PermissionCode, { maxItems: PERMISSIONS.length, uniqueItems: true });

const RolePublic = Type.Object(
  {
    name: Type.String(),
    description: NullableString(),
    permissions: Type.Array(Type.String()),
    built_in: Type.Boolean({ description: 'superuser, user_admin and support: defined by Roster, not editable' }),
    holders: Type.Integer({ description: 'How many users hold the role' }),
  },
  { $id: 'RolePublic' },
);

const toRolePublic = (role: RoleView) => ({
  name: role.name,
  description: role.description,
  permissions: role.permissions,
  built_in: role.builtIn,
  holders: role.holders,
});

const RoleParams = Type.Object({ name: Type.String({ maxLength: 63 }) });

export const rolesRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(RolePublic);
  const { roles } = ctx;
  const roleResponse = { 200: Type.Ref(RolePublic), ...errorResponses(400, 401, 403, 404, 409, 422) };

  app.get(
    '/roles',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['roles'],
        summary: 'Every role, built-in first, and the permission catalogue',
        response: {
          200: Type.Object({
            data: Type.Array(Type.Ref(RolePublic)),
            count: Type.Integer(),
            permissions: Type.Array(Type.String(), { description: 'Every permission code' }),
          }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => {
      const all = await roles.list();
      return { data: all.map(toRolePublic), count: all.length, permissions: [...PERMISSIONS] };
    },
  );

  app.post(
    '/roles',
    {
      config: { permission: 'superuser' },
      schema: {
        tags: ['roles'],
        summary: 'Define a custom role',
        body: Type.Object({ name: RoleName, description: Type.Optional(Description), permissions: Permissions }),
        response: roleResponse,
      },
    },
    async (request) => {
      const { name, description, permissions } = request.body;
      const role = await roles.create({ name, description, permissions }, requestOrigin(request)).catch(asRoleRefusal);
      return toRolePublic(role);
    },
  );

  app.patch(
    '/roles/:name',
    {
      config: { permission: 'superuser' },
      schema: {
        tags: ['roles'],
        summary: 'Rename or redefine a custom role',
        description: 'Its holders keep it. Built-in roles cannot be changed (`409`).',
        params: RoleParams,
        body: Type.Object({
          name: Type.Optional(RoleName),
          description: Type.Optional(Description),
          permissions: Type.Optional(Permissions),
        }),
        response: roleResponse,
      },
    },
    async (request) => {
      const role = await roles.update(request.params.name, request.body, requestOrigin(request)).catch(asRoleRefusal);
      return toRolePublic(role);
    },
  );

  app.delete(
    '/roles/:name',
    {
      config: { permission: 'superuser' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role',
        description: 'Every holder loses it. Built-in roles cannot be deleted (`409`).',
        params: RoleParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => {
      await roles.delete(request.params.name, requestOrigin(request)).catch(asRoleRefusal);
      return { message: 'Role deleted' };
    },
  );

  app.put(
    '/users/:user_id/roles',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['roles'],
        summary: "Set a user's roles",
        description:
          'The user holds exactly the roles listed afterwards (`superuser` is `is_superuser`). Nobody grants or revokes ' +
          'a role with a permission they do not hold, or changes a user who holds one (`403`); the last active ' +
          'superuser keeps the role (`409`). A change applies at once in every process; tokens already issued keep ' +
          'their `roles` claim until they expire.',
        params: Type.Object({ user_id: Uuid }),
        body: Type.Object({ roles: Type.Array(Type.String({ maxLength: 63 }), { maxItems: 64 }) }),
        response: { 200: Type.Ref(UserPublic), ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      const id = request.params.user_id.toLowerCase();
      if (!(await ctx.users.getById(id))) throw new HttpError(404, Messages.userNotFound);
      const user = await roles.setUserRoles(me, id, request.body.roles, requestOrigin(request)).catch(asRoleRefusal);
      return toUserPublic(user);
    },
  );
};
