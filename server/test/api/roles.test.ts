import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPERUSER, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const NOT_ENOUGH = { detail: "The user doesn't have enough privileges" };

/**
 * Routes that are not administration: public, or open to every signed-in user for
 * their own account (the local-only development routes guard themselves). Every other
 * route must declare a permission in its config; a new one that does not fails below.
 */
const OPEN_ROUTES = new Set([
  'POST /api/v1/login/access-token',
  'POST /api/v1/login/test-token',
  'POST /api/v1/password-recovery/:email',
  'POST /api/v1/reset-password/',
  'POST /api/v1/login/refresh-token',
  'POST /api/v1/logout',
  'GET /api/v1/users/me/sessions',
  'DELETE /api/v1/users/me/sessions/:session_id',
  'DELETE /api/v1/users/me/sessions',
  'GET /api/v1/users/me',
  'PATCH /api/v1/users/me',
  'DELETE /api/v1/users/me',
  'PATCH /api/v1/users/me/password',
  'POST /api/v1/users/signup',
  'POST /api/v1/users/restore-email',
  'POST /api/v1/users/verify-email',
  'POST /api/v1/users/me/verification-email',
  // A second factor: the login's step (its mfa_token is the credential) and the caller's own factors.
  'POST /api/v1/login/mfa',
  'POST /api/v1/login/mfa/enroll',
  'POST /api/v1/login/mfa/enroll/confirm',
  'GET /api/v1/users/me/mfa',
  'POST /api/v1/users/me/mfa/totp',
  'POST /api/v1/users/me/mfa/totp/confirm',
  'DELETE /api/v1/users/me/mfa/totp',
  'POST /api/v1/users/me/mfa/recovery-codes',
  'GET /api/v1/users/me/mfa/devices',
  'DELETE /api/v1/users/me/mfa/devices/:device_id',
  // Sign-in providers and passkeys: the sign-in ceremonies (their flow or challenge is the credential) and the
  // caller's own identities and passkeys.
  'GET /api/v1/login/providers',
  'GET /api/v1/login/oauth/:provider/authorize',
  'GET /api/v1/login/oauth/:provider/callback',
  'GET /api/v1/users/me/identities',
  'POST /api/v1/users/me/identities/:provider/link',
  'DELETE /api/v1/users/me/identities/:identity_id',
  'POST /api/v1/users/me/passkeys/registration-options',
  'POST /api/v1/users/me/passkeys',
  'POST /api/v1/users/me/passkeys/step-up-options',
  'GET /api/v1/users/me/passkeys',
  'PATCH /api/v1/users/me/passkeys/:passkey_id',
  'DELETE /api/v1/users/me/passkeys/:passkey_id',
  'POST /api/v1/login/passkey/options',
  'POST /api/v1/login/mfa/passkey-options',
  'POST /api/v1/login/passkey',
  // Organizations: checked against the caller's membership (orgs/access.ts), where holders of
  // orgs:manage act as owners of every organization; listing all of them needs orgs:manage.
  'POST /api/v1/orgs',
  'GET /api/v1/orgs',
  'GET /api/v1/orgs/:org_id',
  'PATCH /api/v1/orgs/:org_id',
  'DELETE /api/v1/orgs/:org_id',
  'GET /api/v1/orgs/:org_id/members',
  'PATCH /api/v1/orgs/:org_id/members/:user_id',
  'DELETE /api/v1/orgs/:org_id/members/:user_id',
  'POST /api/v1/orgs/:org_id/invitations',
  'GET /api/v1/orgs/:org_id/invitations',
  'DELETE /api/v1/orgs/:org_id/invitations/:invitation_id',
  'POST /api/v1/invitations/preview',
  'POST /api/v1/invitations/accept',
  'GET /api/v1/orgs/:org_id/domains',
  'PUT /api/v1/orgs/:org_id/domains',
  'POST /api/v1/users/me/active-org',
  'GET /api/v1/items/',
  'POST /api/v1/items/',
  'GET /api/v1/items/:id',
  'PUT /api/v1/items/:id',
  'DELETE /api/v1/items/:id',
  'GET /api/v1/utils/health-check/',
  'POST /api/v1/private/users/',
  'GET /api/v1/private/emails/',
  'DELETE /api/v1/private/emails/',
  'GET /dev/mailbox/api/v1/search',
  'GET /dev/mailbox/view/:file',
  'GET /api/v1/openapi.json',
  'OPTIONS *',
  'GET /docs',
  'GET /docs/',
  'GET /docs/static/*',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/*',
]);

/** What each admin route of this issue must declare (routes added later are checked by their declaration alone). */
const DECLARED: Record<string, string> = {
  'GET /api/v1/users/': 'users:read',
  'POST /api/v1/users/': 'users:write',
  'GET /api/v1/users/:user_id': 'users:read',
  'PATCH /api/v1/users/:user_id': 'users:write',
  'DELETE /api/v1/users/:user_id': 'users:delete',
  'GET /api/v1/users/:user_id/sessions': 'users:read',
  'DELETE /api/v1/users/:user_id/sessions': 'sessions:revoke',
  'PUT /api/v1/users/:user_id/roles': 'users:write',
  'GET /api/v1/users/:user_id/orgs': 'users:read',
  'GET /api/v1/audit-events': 'audit:read',
  'POST /api/v1/password-recovery-html-content/:email': 'users:read',
  'POST /api/v1/utils/test-email/': 'superuser',
  'GET /api/v1/roles': 'users:read',
  'POST /api/v1/roles': 'superuser',
  'PATCH /api/v1/roles/:name': 'superuser',
  'DELETE /api/v1/roles/:name': 'superuser',
};

const EVERY_PERMISSION = [
  'users:read',
  'users:write',
  'users:delete',
  'sessions:revoke',
  'audit:read',
  'webhooks:manage',
  'orgs:manage',
  'items:read_all',
  'items:write_all',
];

/** The callers of the table, with what the issue says each may do (not what the code computes). */
const CALLERS: Record<string, { roles: string[]; may: string[] }> = {
  superuser: { roles: ['superuser'], may: [...EVERY_PERMISSION, 'superuser'] },
  user_admin: { roles: ['user_admin'], may: ['users:read', 'users:write', 'sessions:revoke', 'audit:read'] },
  support: { roles: ['support'], may: ['users:read', 'audit:read'] },
  'custom role (auditor)': { roles: ['auditor'], may: ['audit:read', 'items:read_all'] },
  'no role': { roles: [], may: [] },
};

type Auth = Record<string, string>;
const auths = new Map<string, Auth>();
let superAuth: Auth;

async function putRoles(auth: Auth, userId: string, roles: string[]) {
  return ctx.get().request({ method: 'PUT', url: `/api/v1/users/${userId}/roles`, headers: auth, payload: { roles } });
}

/** A new user holding `roles`, signed in after the grant (so their token carries them). */
async function userWith(roles: string[]) {
  const t = ctx.get();
  const user = await t.createUser();
  if (roles.length > 0) expect((await putRoles(superAuth, user.id, roles)).statusCode).toBe(200);
  return { ...user, auth: await t.authFor(user.email, user.password) };
}

function claimsOf(auth: Auth) {
  return JSON.parse(Buffer.from((auth.authorization as string).split('.')[1] as string, 'base64url').toString());
}

beforeAll(async () => {
  const t = ctx.get();
  superAuth = await t.superuserAuth();
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/roles',
    headers: superAuth,
    payload: { name: 'auditor', description: 'Reads the log and every item', permissions: ['audit:read', 'items:read_all'] },
  });
  expect(created.statusCode).toBe(200);
  for (const [name, caller] of Object.entries(CALLERS)) {
    auths.set(name, name === 'superuser' ? superAuth : (await userWith(caller.roles)).auth);
  }
});

/** A request for a route with made-up path parameters: a holder passes the guard and meets a 404 or a 422. */
function probe(method: string, url: string, auth: Auth) {
  const path = url
    .replace(':email', 'nobody-here@example.com')
    .replace(':name', 'no_such_role')
    .replace(/:[a-z_]+/g, () => randomUUID());
  const hasBody = !['GET', 'DELETE'].includes(method);
  return ctx.get().request({ method: method as 'GET', url: path, headers: auth, ...(hasBody && { payload: {} }) });
}

describe('every admin route declares its permission, and one guard checks it', () => {
  it('every route declares a permission or is on the list of open routes', () => {
    const undeclared = ctx
      .get()
      .routeAccess.filter((route) => route.method !== 'HEAD' && route.permission === null)
      .map((route) => `${route.method} ${route.url}`)
      .filter((route) => !OPEN_ROUTES.has(route) && !route.startsWith('GET /docs'));
    expect(undeclared).toEqual([]);
  });

  it('the admin routes declare the permissions of the issue, and the OpenAPI document shows them', async () => {
    const t = ctx.get();
    const declared = Object.fromEntries(
      t.routeAccess.filter((route) => route.permission).map((route) => [`${route.method} ${route.url}`, route.permission]),
    );
    expect(declared).toMatchObject(DECLARED);
    const document = (await t.request({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const [route, permission] of Object.entries(DECLARED)) {
      const [method, url] = route.split(' ') as [string, string];
      const path = url.replace('/api/v1', '/api/v1').replace(/:([a-z_]+)/g, '{$1}');
      expect(document.paths[path]?.[method.toLowerCase()]?.['x-permission'], route).toBe(permission);
    }
  });

  it.each(Object.keys(CALLERS))('as %s: through exactly the routes whose permission the caller holds', async (name) => {
    const t = ctx.get();
    const auth = auths.get(name) as Auth;
    const may = new Set(CALLERS[name]?.may);
    const routes = t.routeAccess.filter((route) => route.permission && route.method !== 'HEAD');
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(DECLARED).length);
    const outcomes: string[] = [];
    for (const route of routes) {
      const response = await probe(route.method, route.url, auth);
      const label = `${route.method} ${route.url} (${route.permission})`;
      if (may.has(route.permission as string)) {
        // Past the guard: the made-up target is missing or the empty body invalid, never a refusal.
        if ([401, 403].includes(response.statusCode) || response.statusCode >= 500) outcomes.push(`${label}: ${response.body}`);
      } else if (response.statusCode !== 403 || response.body !== JSON.stringify(NOT_ENOUGH)) {
        outcomes.push(`${label}: ${response.statusCode} ${response.body}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('anyone reads their own record by id, without users:read', async () => {
    const t = ctx.get();
    const user = await userWith([]);
    const own = await t.request({ method: 'GET', url: `/api/v1/users/${user.id.toUpperCase()}`, headers: user.auth });
    expect(own.statusCode).toBe(200);
    expect(own.json().roles).toEqual([]);
  });
});

describe('roles on /users/me and in access tokens', () => {
  it('lists roles and the permissions they give; a user may hold several', async () => {
    const t = ctx.get();
    const user = await userWith(['support', 'auditor']);
    const me = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).json();
    expect(me.roles).toEqual(['auditor', 'support']);
    expect(me.permissions).toEqual(['users:read', 'audit:read', 'items:read_all']);
    expect(me.is_superuser).toBe(false);
    expect(claimsOf(user.auth).roles).toEqual(['auditor', 'support']);

    const admin = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: superAuth })).json();
    expect(admin).toMatchObject({ is_superuser: true, roles: ['superuser'], permissions: EVERY_PERMISSION });
    expect(claimsOf(superAuth).roles).toEqual(['superuser']);
  });

  it('a refreshed token carries the roles held at the refresh', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const login = (await t.login(user.email, user.password)).json();
    expect(claimsOf({ authorization: `Bearer ${login.access_token}` }).roles).toEqual([]);
    await putRoles(superAuth, user.id, ['support']);
    const refreshed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { grant_type: 'refresh_token', refresh_token: login.refresh_token },
    });
    expect(claimsOf({ authorization: `Bearer ${refreshed.json().access_token}` }).roles).toEqual(['support']);
  });

  it('a role change applies to the next request, with the same token', async () => {
    const t = ctx.get();
    const user = await userWith(['support']);
    const list = () => t.request({ method: 'GET', url: '/api/v1/users/?limit=1', headers: user.auth });
    expect((await list()).statusCode).toBe(200);
    expect((await putRoles(superAuth, user.id, [])).statusCode).toBe(200);
    expect((await list()).statusCode).toBe(403);
    await putRoles(superAuth, user.id, ['auditor']);
    expect((await list()).statusCode).toBe(403);
    // A custom role redefined: its holders have the new permissions at once.
    const redefined = await t.request({
      method: 'PATCH',
      url: '/api/v1/roles/auditor',
      headers: superAuth,
      payload: { permissions: ['audit:read', 'items:read_all', 'users:read'] },
    });
    expect(redefined.statusCode).toBe(200);
    expect((await list()).statusCode).toBe(200);
    await t.request({
      method: 'PATCH',
      url: '/api/v1/roles/auditor',
      headers: superAuth,
      payload: { permissions: ['audit:read', 'items:read_all'] },
    });
    expect((await list()).statusCode).toBe(403);
  });
});

describe('who may grant what', () => {
  it('a user_admin grants and revokes roles within their own permissions', async () => {
    const t = ctx.get();
    const admin = await userWith(['user_admin']);
    const target = await userWith([]);
    const granted = await putRoles(admin.auth, target.id, ['support']);
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ id: target.id, roles: ['support'], is_superuser: false });
    expect((await putRoles(admin.auth, target.id, ['support', 'user_admin'])).json().roles).toEqual(['support', 'user_admin']);
    expect((await putRoles(admin.auth, target.id, [])).json().roles).toEqual([]);

    // Not a role with a permission they lack, and not superuser.
    for (const roles of [['auditor'], ['superuser'], ['support', 'superuser']]) {
      const refused = await putRoles(admin.auth, target.id, roles);
      expect(refused.statusCode, roles.join()).toBe(403);
      expect(refused.json()).toEqual({ detail: 'You cannot grant or revoke a role with permissions you do not hold' });
    }
    // Nor take such a role away.
    await putRoles(superAuth, target.id, ['auditor']);
    expect((await putRoles(admin.auth, target.id, [])).statusCode).toBe(403);
    // Nor set is_superuser through the template's routes.
    const promote = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}`,
      headers: admin.auth,
      payload: { is_superuser: true },
    });
    expect(promote.statusCode).toBe(403);
    const create = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: admin.auth,
      payload: { email: `made-${randomUUID()}@example.com`, password: 'long-enough-password', is_superuser: true },
    });
    expect(create.statusCode).toBe(403);
    const after = (await t.request({ method: 'GET', url: `/api/v1/users/${target.id}`, headers: superAuth })).json();
    expect(after).toMatchObject({ is_superuser: false, roles: ['auditor'] });
  });

  it('a user_admin cannot touch a superuser, or anyone holding a permission they lack', async () => {
    const t = ctx.get();
    const admin = await userWith(['user_admin']);
    const root = await userWith(['superuser']);
    const auditor = await userWith(['auditor']);
    const outranked = { detail: 'You cannot change a user who holds permissions you do not hold' };
    for (const target of [root, auditor]) {
      const attempts = [
        t.request({ method: 'PATCH', url: `/api/v1/users/${target.id}`, headers: admin.auth, payload: { full_name: 'X' } }),
        t.request({
          method: 'PATCH',
          url: `/api/v1/users/${target.id}`,
          headers: admin.auth,
          payload: { password: 'taken-over-now' },
        }),
        t.request({ method: 'DELETE', url: `/api/v1/users/${target.id}/sessions`, headers: admin.auth }),
        putRoles(admin.auth, target.id, ['support']),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual(outranked);
      }
    }
    // A superuser's account is untouched: they still sign in with their password.
    expect((await t.login(root.email, root.password)).statusCode).toBe(200);
    // Reading is not touching; a plain user is theirs to change.
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${root.id}`, headers: admin.auth })).statusCode).toBe(200);
    const plain = await userWith([]);
    const renamed = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${plain.id}`,
      headers: admin.auth,
      payload: { full_name: 'Renamed' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ full_name: 'Renamed', roles: [] });
  });

  it('a user_admin cannot delete users (no users:delete); a superuser can', async () => {
    const t = ctx.get();
    const admin = await userWith(['user_admin']);
    const plain = await userWith(['support']);
    const refused = await t.request({ method: 'DELETE', url: `/api/v1/users/${plain.id}`, headers: admin.auth });
    expect(refused.json()).toEqual(NOT_ENOUGH);
    expect((await t.request({ method: 'DELETE', url: `/api/v1/users/${plain.id}`, headers: superAuth })).statusCode).toBe(200);
  });

  it('unknown roles are refused and nothing changes', async () => {
    const t = ctx.get();
    const target = await userWith(['support']);
    const response = await putRoles(superAuth, target.id, ['auditor', 'wizard']);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Unknown role: wizard' });
    const user = (await t.request({ method: 'GET', url: `/api/v1/users/${target.id}`, headers: superAuth })).json();
    expect(user.roles).toEqual(['support']);
    expect((await putRoles(superAuth, randomUUID(), ['support'])).statusCode).toBe(404);
  });
});

describe('the last superuser', () => {
  it('cannot lose the role; with a second superuser, one may step down', async () => {
    const t = ctx.get();
    // The test app's other superusers (made by earlier tests) step down first, by another superuser's hand.
    const listed = await t.request({ method: 'GET', url: '/api/v1/users/?is_superuser=true&limit=100', headers: superAuth });
    const first = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: superAuth })).json();
    for (const user of listed.json().data as { id: string }[]) {
      if (user.id !== first.id) expect((await putRoles(superAuth, user.id, [])).statusCode).toBe(200);
    }
    const last = await putRoles(superAuth, first.id, []);
    expect(last.statusCode).toBe(409);
    expect(last.json()).toEqual({ detail: 'The last superuser cannot lose the role' });
    expect((await putRoles(superAuth, first.id, ['support'])).statusCode).toBe(409);
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me', headers: superAuth })).json().roles).toEqual(['superuser']);

    const second = await userWith(['superuser']);
    expect((await putRoles(second.auth, first.id, ['support'])).json().roles).toEqual(['support']);
    // Now the second one is the last.
    expect((await putRoles(second.auth, second.id, [])).statusCode).toBe(409);
    expect((await putRoles(second.auth, first.id, ['superuser'])).json().roles).toEqual(['superuser']);
    const signedIn = await t.authFor(SUPERUSER.email, SUPERUSER.password);
    expect((await t.request({ method: 'GET', url: '/api/v1/roles', headers: signedIn })).statusCode).toBe(200);
  });
});

describe('custom roles', () => {
  it('are created, renamed, redefined and deleted by a superuser, and audited', async () => {
    const t = ctx.get();
    const create = (payload: object) => t.request({ method: 'POST', url: '/api/v1/roles', headers: superAuth, payload });
    const made = await create({ name: 'session_desk', permissions: ['sessions:revoke', 'users:read'] });
    expect(made.json()).toEqual({
      name: 'session_desk',
      description: null,
      permissions: ['users:read', 'sessions:revoke'],
      built_in: false,
      holders: 0,
    });
    expect((await create({ name: 'session_desk', permissions: [] })).statusCode).toBe(409);
    expect((await create({ name: 'support', permissions: [] })).statusCode).toBe(409);
    expect((await create({ name: 'Bad Name', permissions: [] })).statusCode).toBe(422);
    expect((await create({ name: 'impersonator', permissions: ['users:impersonate'] })).statusCode).toBe(422);

    const holder = await userWith(['session_desk']);
    const renamed = await t.request({
      method: 'PATCH',
      url: '/api/v1/roles/session_desk',
      headers: superAuth,
      payload: { name: 'helpdesk', description: 'Signs people out' },
    });
    expect(renamed.json()).toMatchObject({ name: 'helpdesk', description: 'Signs people out', holders: 1 });
    const me = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: holder.auth })).json();
    expect(me).toMatchObject({ roles: ['helpdesk'], permissions: ['users:read', 'sessions:revoke'] });

    for (const name of ['superuser', 'user_admin', 'support']) {
      const patch = await t.request({
        method: 'PATCH',
        url: `/api/v1/roles/${name}`,
        headers: superAuth,
        payload: { permissions: [] },
      });
      expect(patch.statusCode).toBe(409);
      expect((await t.request({ method: 'DELETE', url: `/api/v1/roles/${name}`, headers: superAuth })).statusCode).toBe(409);
    }
    const listed = (await t.request({ method: 'GET', url: '/api/v1/roles', headers: holder.auth })).json();
    expect(listed.data.slice(0, 3).map((r: { name: string; built_in: boolean }) => [r.name, r.built_in])).toEqual([
      ['superuser', true],
      ['user_admin', true],
      ['support', true],
    ]);
    expect(listed.data[0].permissions).toEqual(EVERY_PERMISSION);
    expect(listed.permissions).toEqual(EVERY_PERMISSION);

    expect((await t.request({ method: 'DELETE', url: '/api/v1/roles/helpdesk', headers: superAuth })).statusCode).toBe(200);
    const after = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: holder.auth })).json();
    expect(after).toMatchObject({ roles: [], permissions: [] });

    const events = async (type: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/audit-events?type=${type}&limit=500`, headers: superAuth })).json()
        .data as { details: Record<string, unknown>; target_id: string | null; actor_id: string | null }[];
    expect((await events('role.created')).map((e) => e.details.role)).toContain('session_desk');
    expect((await events('role.updated')).find((e) => e.details.renamed_from === 'session_desk')?.details.role).toBe('helpdesk');
    expect((await events('role.deleted')).find((e) => e.details.role === 'helpdesk')?.details.holders).toBe(1);
    const grant = (await events('role.granted')).find((e) => e.target_id === holder.id);
    expect(grant?.details).toEqual({ role: 'session_desk' });
  });

  it('is_superuser through the template routes is the superuser role: granted and revoked, audited', async () => {
    const t = ctx.get();
    const user = await userWith([]);
    const patch = (is_superuser: boolean) =>
      t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: superAuth, payload: { is_superuser } });
    expect((await patch(true)).json()).toMatchObject({ is_superuser: true, roles: ['superuser'] });
    const me = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).json();
    expect(me.permissions).toEqual(EVERY_PERMISSION);
    expect((await patch(false)).json()).toMatchObject({ is_superuser: false, roles: [] });
    const log = await t.request({ method: 'GET', url: `/api/v1/audit-events?user_id=${user.id}`, headers: superAuth });
    const types = log.json().data.map((e: { type: string; details: { role?: string } }) => `${e.type}:${e.details.role ?? ''}`);
    expect(types).toContain('role.granted:superuser');
    expect(types).toContain('role.revoked:superuser');
  });
});

describe('items:read_all and items:write_all', () => {
  it('let their holders see and change every item; others keep to their own', async () => {
    const t = ctx.get();
    const owner = await userWith([]);
    const item = (
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: owner.auth, payload: { title: 'Owned' } })
    ).json();
    const reader = await userWith(['auditor']);
    const stranger = await userWith(['user_admin']);

    const readersList = (await t.request({ method: 'GET', url: '/api/v1/items/?limit=1000', headers: reader.auth })).json();
    expect(readersList.data.find((i: { id: string }) => i.id === item.id)?.owner_email).toBe(owner.email);
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: reader.auth })).statusCode).toBe(200);
    const edit = (auth: Auth) =>
      t.request({ method: 'PUT', url: `/api/v1/items/${item.id}`, headers: auth, payload: { title: 'Edited' } });
    expect((await edit(reader.auth)).statusCode).toBe(403);

    const strangersList = (await t.request({ method: 'GET', url: '/api/v1/items/?limit=1000', headers: stranger.auth })).json();
    expect(strangersList.count).toBe(0);
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: stranger.auth })).statusCode).toBe(403);

    await t.request({
      method: 'POST',
      url: '/api/v1/roles',
      headers: superAuth,
      payload: { name: 'editor', permissions: ['items:write_all'] },
    });
    const editor = await userWith(['editor']);
    expect((await edit(editor.auth)).json().title).toBe('Edited');
    expect((await t.request({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers: editor.auth })).statusCode).toBe(200);
  });
});
