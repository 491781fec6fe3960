// Names for the shapes the pages use, read off the generated paths (not the component
// names, which depend on how the server registers its schemas).
import type { paths } from './schema';

type JsonOk<Op> = Op extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

/** The signed-in user: UserPublic with their roles and the permissions those give. */
export type Me = JsonOk<paths['/api/v1/users/me']['get']>;
export type UsersPublic = JsonOk<paths['/api/v1/users/']['get']>;
export type UserPublic = UsersPublic['data'][number];
export type RolesPublic = JsonOk<paths['/api/v1/roles']['get']>;
export type RolePublic = RolesPublic['data'][number];
export type ItemPublic = JsonOk<paths['/api/v1/items/{id}']['get']>;
export type ItemsPublic = JsonOk<paths['/api/v1/items/']['get']>;
export type RoleCreate = JsonBody<paths['/api/v1/roles']['post']>;
export type RoleUpdate = JsonBody<paths['/api/v1/roles/{name}']['patch']>;
/** A code of the permission catalogue, as the API's enum has it. */
export type PermissionCode = RoleCreate['permissions'][number];
export type IdentityPublic = JsonOk<paths['/api/v1/users/me/identities']['get']>['data'][number];

export type UserCreate = JsonBody<paths['/api/v1/users/']['post']>;
export type UserUpdate = JsonBody<paths['/api/v1/users/{user_id}']['patch']>;
export type UserUpdateMe = JsonBody<paths['/api/v1/users/me']['patch']>;
export type ItemCreate = JsonBody<paths['/api/v1/items/']['post']>;
export type ItemUpdate = JsonBody<paths['/api/v1/items/{id}']['put']>;

export type UsersQuery = NonNullable<paths['/api/v1/users/']['get']['parameters']['query']>;
export type UsersOrderBy = NonNullable<UsersQuery['order_by']>;

export type UserOrgsPublic = JsonOk<paths['/api/v1/users/{user_id}/orgs']['get']>;
export type OrgPublic = JsonOk<paths['/api/v1/orgs/{org_id}']['get']>;
export type OrgMemberPublic = JsonOk<paths['/api/v1/orgs/{org_id}/members']['get']>['data'][number];
export type OrgInvitationPublic = JsonOk<paths['/api/v1/orgs/{org_id}/invitations']['get']>['data'][number];
export type InvitationPreview = JsonOk<paths['/api/v1/invitations/preview']['post']>;
