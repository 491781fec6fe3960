/**
 * Organizations (issue 18): creation, the owner rules, invitations, verified domains
 * and the active-organization claim. Mail goes to the local dev mailbox (ENVIRONMENT=local
 * without SMTP) and is read from the outbox table.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ORIGIN } from '../../src/audit/service.js';
import { auditEvents, emailOutbox, orgMembers } from '../../src/db/schema.js';
import { OrgRefusal } from '../../src/orgs/errors.js';
import { OrganizationsService } from '../../src/orgs/service.js';
import { ManualClock } from '../../src/utils/clock.js';
import { type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';
import { invitationToken } from '../helpers/orgs.js';

const clock = new ManualClock(new Date('2031-03-01T09:00:00Z'));
const app = useTestApp({ clock });
/** Where an account cannot sign in before its address is verified (its own clock: tests there expire links). */
const strictClock = new ManualClock(new Date('2031-03-01T09:00:00Z'));
const strict = useTestApp({ clock: strictClock, env: { REQUIRE_VERIFIED_LOGIN: 'true' } });
const LAST_OWNER = { detail: 'An organization must keep at least one owner: make another member an owner first' };
const OWNERS_ONLY_OWNERS = { detail: 'Only owners can make, change or remove owners' };

type Auth = Record<string, string>;
type Member = { id: string; email: string; password: string; auth: Auth };

let slugCounter = 0;
const newSlug = () => `org-${process.pid}-${++slugCounter}`;

async function verifiedUser(t: TestApp, email = uniqueEmail()): Promise<Member> {
  const user = await t.createUser({ email });
  await t.ctx.users.update(user.id, { isVerified: true });
  return user;
}

async function createOrg(t: TestApp, owner: Member, name = 'Acme') {
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/orgs',
    headers: owner.auth,
    payload: { name, slug: newSlug() },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { id: string; name: string; slug: string; role: string };
}

const setRole = (t: TestApp, auth: Auth, orgId: string, userId: string, role: string) =>
  t.request({ method: 'PATCH', url: `/api/v1/orgs/${orgId}/members/${userId}`, headers: auth, payload: { role } });
const remove = (t: TestApp, auth: Auth, orgId: string, userId: string) =>
  t.request({ method: 'DELETE', url: `/api/v1/orgs/${orgId}/members/${userId}`, headers: auth });
const invite = (t: TestApp, auth: Auth, orgId: string, email: string, role = 'member') =>
  t.request({ method: 'POST', url: `/api/v1/orgs/${orgId}/invitations`, headers: auth, payload: { email, role } });
const accept = (t: TestApp, auth: Auth, token: string) =>
  t.request({ method: 'POST', url: '/api/v1/invitations/accept', headers: auth, payload: { token } });
const me = (t: TestApp, auth: Auth) => t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth });

/** An organization with an owner, an admin and a member. */
async function team(t: TestApp) {
  const owner = await verifiedUser(t);
  const admin = await verifiedUser(t);
  const member = await verifiedUser(t);
  const org = await createOrg(t, owner);
  await t.ctx.db.transaction(async (tx) => {
    await t.ctx.orgs.addMember(tx, org.id, admin.id, 'admin', SYSTEM_ORIGIN, 'cli');
    await t.ctx.orgs.addMember(tx, org.id, member.id, 'member', SYSTEM_ORIGIN, 'cli');
  });
  return { org, owner, admin, member };
}

async function memberRoles(t: TestApp, auth: Auth, orgId: string) {
  const response = await t.request({ method: 'GET', url: `/api/v1/orgs/${orgId}/members`, headers: auth });
  expect(response.statusCode).toBe(200);
  return Object.fromEntries(response.json().data.map((m: { user_id: string; role: string }) => [m.user_id, m.role]));
}

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString('utf8'));
}

describe('creating and listing organizations', () => {
  it('a verified user creates one and becomes its owner; an unverified user and a taken slug are refused', async () => {
    const t = app.get();
    const unverified = await t.createUser();
    const refused = await t.request({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: unverified.auth,
      payload: { name: 'X', slug: newSlug() },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'Verify your email address before creating an organization' });

    const owner = await verifiedUser(t);
    const org = await createOrg(t, owner, 'Acme Corp');
    expect(org).toMatchObject({ name: 'Acme Corp', role: 'owner' });
    const again = await t.request({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: owner.auth,
      payload: { name: 'Other', slug: org.slug },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ detail: 'An organization with this slug already exists' });
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: owner.auth,
      payload: { name: ' ', slug: 'Not A Slug' },
    });
    expect(bad.statusCode).toBe(422);

    const [event] = await t.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'org.created'), eq(auditEvents.targetId, org.id)));
    expect(event?.actorId).toBe(owner.id);
  });

  it('ORG_CREATION=admins leaves creation to administrators', async () => {
    const t = app.get();
    const adminsOnly = new OrganizationsService(t.ctx.db, t.ctx.audit, t.ctx.clock, 'admins');
    const user = await verifiedUser(t);
    const refusal = await adminsOnly
      .create(await t.ctx.users.getById(user.id).then((u) => u!), { name: 'N', slug: newSlug() }, SYSTEM_ORIGIN)
      .catch((e) => e);
    expect(refusal).toBeInstanceOf(OrgRefusal);
    expect(refusal.detail).toBe('Only administrators can create organizations');
    const superuser = await t.ctx.users.getByEmail('admin@example.com');
    await expect(adminsOnly.create(superuser!, { name: 'N', slug: newSlug() }, SYSTEM_ORIGIN)).resolves.toMatchObject({
      name: 'N',
    });
  });

  it('lists the caller’s organizations with their role; scope=all with q and cursor pages is for orgs:manage', async () => {
    const t = app.get();
    const { org, member } = await team(t);
    const mine = await t.request({ method: 'GET', url: '/api/v1/orgs', headers: member.auth });
    expect(mine.json()).toMatchObject({ count: 1, data: [{ id: org.id, role: 'member' }], next_cursor: null });
    const all = await t.request({ method: 'GET', url: '/api/v1/orgs?scope=all', headers: member.auth });
    expect(all.statusCode).toBe(403);

    const owner = await verifiedUser(t);
    const tag = `paged${process.pid}`;
    for (const name of ['c', 'a', 'b']) await createOrg(t, owner, `${tag}-${name}`);
    const admin = await t.superuserAuth();
    const seen: string[] = [];
    let url = `/api/v1/orgs?scope=all&limit=2&q=${tag}`;
    for (;;) {
      const page = (await t.request({ method: 'GET', url, headers: admin })).json();
      expect(page.count).toBe(3);
      seen.push(...page.data.map((o: { name: string; role: string | null }) => `${o.name}:${o.role}`));
      if (!page.next_cursor) break;
      url = `/api/v1/orgs?scope=all&limit=2&q=${tag}&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual([`${tag}-a:null`, `${tag}-b:null`, `${tag}-c:null`]);
  });

  it('owners and admins rename, members cannot; outsiders do not learn it exists', async () => {
    const t = app.get();
    const { org, admin, member } = await team(t);
    const rename = (auth: Auth, name: string) =>
      t.request({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: auth, payload: { name } });
    expect((await rename(admin.auth, 'Renamed')).json()).toMatchObject({ name: 'Renamed', role: 'admin' });
    expect((await rename(member.auth, 'Nope')).statusCode).toBe(403);
    const outsider = await verifiedUser(t);
    const hidden = await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: outsider.auth });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ detail: 'Organization not found' });
  });
});

describe("a user's organizations, for administrators", () => {
  const userOrgs = (t: TestApp, auth: Auth, userId: string, query = '') =>
    t.request({ method: 'GET', url: `/api/v1/users/${userId}/orgs${query}`, headers: auth });

  it('lists them by name with the user’s role there, in cursor pages; none is an empty list', async () => {
    const t = app.get();
    const admin = await t.superuserAuth();
    const { org, member } = await team(t);
    const own = await createOrg(t, member, 'Beta');
    const listed = await userOrgs(t, admin, member.id.toUpperCase());
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      data: [
        { id: org.id, name: 'Acme', slug: org.slug, created_at: expect.any(String), role: 'member' },
        { id: own.id, name: 'Beta', slug: own.slug, created_at: expect.any(String), role: 'owner' },
      ],
      count: 2,
      next_cursor: null,
    });

    const first = (await userOrgs(t, admin, member.id, '?limit=1')).json();
    expect(first).toMatchObject({ count: 2, data: [{ id: org.id }] });
    const second = (await userOrgs(t, admin, member.id, `?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ count: 2, data: [{ id: own.id, role: 'owner' }], next_cursor: null });

    const loner = await verifiedUser(t);
    expect((await userOrgs(t, admin, loner.id)).json()).toEqual({ data: [], count: 0, next_cursor: null });
    // The account itself stays as the contract has it: organizations are only on this route.
    const user = await t.request({ method: 'GET', url: `/api/v1/users/${member.id}`, headers: admin });
    expect(user.json()).not.toHaveProperty('orgs');
  });

  it('an unknown user is 404; a malformed id or cursor is 422', async () => {
    const t = app.get();
    const admin = await t.superuserAuth();
    const unknown = await userOrgs(t, admin, '00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: 'User not found' });
    const malformed = await userOrgs(t, admin, 'not-a-uuid');
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail[0].loc).toEqual(['path', 'user_id']);

    const { member } = await team(t);
    const badCursor = await userOrgs(t, admin, member.id, '?cursor=nonsense');
    expect(badCursor.statusCode).toBe(422);
    expect(badCursor.json().detail[0]).toMatchObject({ loc: ['query', 'cursor'], msg: 'Invalid cursor' });
    // A cursor of GET /orgs belongs to another list.
    await createOrg(t, member, 'Gamma');
    const mine = (await t.request({ method: 'GET', url: '/api/v1/orgs?limit=1', headers: member.auth })).json();
    const foreign = await userOrgs(t, admin, member.id, `?cursor=${mine.next_cursor}`);
    expect(foreign.statusCode).toBe(422);
  });

  it('support (users:read) may read them; a user without the permission may not, not even their own', async () => {
    const t = app.get();
    const admin = await t.superuserAuth();
    const { org, member } = await team(t);
    const helper = await t.createUser();
    const granted = await t.request({
      method: 'PUT',
      url: `/api/v1/users/${helper.id}/roles`,
      headers: admin,
      payload: { roles: ['support'] },
    });
    expect(granted.statusCode).toBe(200);
    const support = await t.authFor(helper.email, helper.password);
    expect((await userOrgs(t, support, member.id)).json()).toMatchObject({ count: 1, data: [{ id: org.id, role: 'member' }] });

    for (const target of [helper.id, member.id]) {
      const refused = await userOrgs(t, member.auth, target);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ detail: "The user doesn't have enough privileges" });
    }
  });
});

describe('the owner rules', () => {
  it('the last owner cannot leave, be demoted or be removed (409)', async () => {
    const t = app.get();
    const { org, owner } = await team(t);
    const leave = await remove(t, owner.auth, org.id, owner.id);
    expect(leave.statusCode).toBe(409);
    expect(leave.json()).toEqual(LAST_OWNER);
    const demote = await setRole(t, owner.auth, org.id, owner.id, 'admin');
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toEqual(LAST_OWNER);
    // An administrator acts as an owner of every organization, but the rule holds for them too.
    const removed = await remove(t, await t.superuserAuth(), org.id, owner.id);
    expect(removed.statusCode).toBe(409);
    expect(removed.json()).toEqual(LAST_OWNER);
    expect((await memberRoles(t, owner.auth, org.id))[owner.id]).toBe('owner');
  });

  it('with a second owner, an owner may leave or be demoted', async () => {
    const t = app.get();
    const { org, owner, admin } = await team(t);
    expect((await setRole(t, owner.auth, org.id, admin.id, 'owner')).json()).toMatchObject({ user_id: admin.id, role: 'owner' });
    expect((await setRole(t, admin.auth, org.id, owner.id, 'member')).json()).toMatchObject({ role: 'member' });
    expect((await remove(t, owner.auth, org.id, owner.id)).json()).toEqual({ message: 'You left the organization' });
    expect(await memberRoles(t, admin.auth, org.id)).not.toHaveProperty(owner.id);
    const [left] = await t.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'org.member_removed'), eq(auditEvents.targetId, owner.id)));
    expect(left?.details).toMatchObject({ org_id: org.id, left: true, role: 'member' });
  });

  it('admins manage members but cannot make, demote or remove owners', async () => {
    const t = app.get();
    const { org, owner, admin, member } = await team(t);
    const makeOwner = await setRole(t, admin.auth, org.id, member.id, 'owner');
    expect(makeOwner.statusCode).toBe(403);
    expect(makeOwner.json()).toEqual(OWNERS_ONLY_OWNERS);
    expect((await setRole(t, admin.auth, org.id, owner.id, 'member')).json()).toEqual(OWNERS_ONLY_OWNERS);
    expect((await remove(t, admin.auth, org.id, owner.id)).json()).toEqual(OWNERS_ONLY_OWNERS);
    expect((await setRole(t, admin.auth, org.id, member.id, 'admin')).json()).toMatchObject({ role: 'admin' });
    expect((await remove(t, admin.auth, org.id, member.id)).json()).toEqual({ message: 'Member removed' });
    const [changed] = await t.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'org.member_role_changed'), eq(auditEvents.targetId, member.id)));
    expect(changed?.details).toMatchObject({ org_id: org.id, from: 'member', to: 'admin' });
  });

  it('members cannot change roles or remove others, but may leave', async () => {
    const t = app.get();
    const { org, admin, member } = await team(t);
    const refused = await setRole(t, member.auth, org.id, admin.id, 'member');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'Only owners and admins of the organization can do this' });
    expect((await remove(t, member.auth, org.id, admin.id)).statusCode).toBe(403);
    expect((await remove(t, member.auth, org.id, member.id)).statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: member.auth })).statusCode).toBe(404);
  });

  it('the only owner’s account is not deleted while the organization needs them', async () => {
    const t = app.get();
    const { org, owner, admin } = await team(t);
    const self = await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: owner.auth });
    expect(self.statusCode).toBe(409);
    expect(self.json().detail).toBe(`You are the only owner of ${org.name}: make another member an owner, or delete it, first`);
    const byAdmin = await t.request({ method: 'DELETE', url: `/api/v1/users/${owner.id}`, headers: await t.superuserAuth() });
    expect(byAdmin.statusCode).toBe(409);
    await setRole(t, owner.auth, org.id, admin.id, 'owner');
    expect((await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: owner.auth })).statusCode).toBe(200);
    const roles = await memberRoles(t, admin.auth, org.id);
    expect(roles[admin.id]).toBe('owner');
    expect(roles).not.toHaveProperty(owner.id);
  });

  it('deleting one owner while the other is demoted or removed leaves the organization an owner, every round', async () => {
    const t = app.get();
    const admin = await t.superuserAuth();
    const ownerCount = async (orgId: string) =>
      (
        await t.ctx.db
          .select()
          .from(orgMembers)
          .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, 'owner')))
      ).length;
    for (let round = 0; round < 8; round++) {
      const { org, owner: first, admin: second } = await team(t);
      expect((await setRole(t, first.auth, org.id, second.id, 'owner')).statusCode).toBe(200);
      // Both at once: the first owner's account goes (by themselves or an administrator) while the
      // second owner steps down (demotes themselves or leaves).
      const deletion =
        round % 2 === 0
          ? t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: first.auth })
          : t.request({ method: 'DELETE', url: `/api/v1/users/${first.id}`, headers: admin });
      const stepDown =
        round % 4 < 2 ? setRole(t, second.auth, org.id, second.id, 'member') : remove(t, second.auth, org.id, second.id);
      const [deleted, steppedDown] = await Promise.all([deletion, stepDown]);
      // One after the other: whichever came second would have left no owner, and is refused.
      expect([deleted.statusCode, steppedDown.statusCode].sort(), `round ${round}`).toEqual([200, 409]);
      expect(await ownerCount(org.id), `round ${round}`).toBe(1);
    }
  });

  it('only owners delete an organization; its members, invitations and domains go with it', async () => {
    const t = app.get();
    const { org, owner, admin, member } = await team(t);
    await invite(t, owner.auth, org.id, uniqueEmail('pending'));
    const byAdmin = await t.request({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: admin.auth });
    expect(byAdmin.statusCode).toBe(403);
    expect(byAdmin.json()).toEqual({ detail: 'Only owners of the organization can do this' });
    expect((await t.request({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: owner.auth })).statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}`, headers: owner.auth })).statusCode).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/orgs', headers: member.auth })).json().count).toBe(0);
  });
});

describe('invitations', () => {
  it('mails a single-use link; the invited user accepts it and their address is verified', async () => {
    const t = app.get();
    const { org, admin } = await team(t);
    const invitee = await t.createUser({ email: uniqueEmail('Invitee') });
    const sent = await invite(t, admin.auth, org.id, invitee.email.toUpperCase(), 'admin');
    expect(sent.json()).toMatchObject({ email: invitee.email.toUpperCase(), role: 'admin', invited_by: admin.id });
    const pending = await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: admin.auth });
    expect(pending.json()).toMatchObject({ count: 1, data: [{ id: sent.json().id }] });

    const token = await invitationToken(t, invitee.email.toUpperCase());
    const preview = await t.request({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } });
    expect(preview.json()).toMatchObject({ organization: { id: org.id }, role: 'admin', account_exists: true });

    const accepted = await accept(t, invitee.auth, token);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ id: org.id, role: 'admin' });
    expect((await me(t, invitee.auth)).json().is_verified).toBe(true);
    expect((await memberRoles(t, admin.auth, org.id))[invitee.id]).toBe('admin');

    const reused = await accept(t, invitee.auth, token);
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toEqual({ detail: 'Invalid or expired invitation' });
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: admin.auth })).json().count,
    ).toBe(0);
    const types = (await t.ctx.db.select().from(auditEvents).where(eq(auditEvents.targetId, invitee.id))).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['org.invitation_sent', 'org.member_added', 'org.invitation_accepted', 'email.verified']),
    );
  });

  it('another account cannot accept it, and the invitation stays usable for the right one', async () => {
    const t = app.get();
    const { org, owner } = await team(t);
    const invitee = await t.createUser();
    const stranger = await verifiedUser(t);
    await invite(t, owner.auth, org.id, invitee.email);
    const token = await invitationToken(t, invitee.email);
    const wrong = await accept(t, stranger.auth, token);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().detail).toMatch(/^This invitation was sent to another email address/);
    expect(await memberRoles(t, owner.auth, org.id)).not.toHaveProperty(stranger.id);
    expect((await accept(t, invitee.auth, token)).statusCode).toBe(200);
  });

  it('an expired invitation is refused', async () => {
    const t = app.get();
    const { org, owner } = await team(t);
    const invitee = await t.createUser();
    await invite(t, owner.auth, org.id, invitee.email);
    const token = await invitationToken(t, invitee.email);
    clock.advance(7 * 86_400 + 1);
    const late = await accept(t, invitee.auth, token);
    expect(late.statusCode).toBe(400);
    expect(late.json()).toEqual({ detail: 'Invalid or expired invitation' });
    expect((await t.request({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } })).statusCode).toBe(400);
  });

  it('inviting again replaces the pending invitation; a revoked one stops working', async () => {
    const t = app.get();
    const { org, owner } = await team(t);
    const invitee = await t.createUser();
    await invite(t, owner.auth, org.id, invitee.email);
    const first = await invitationToken(t, invitee.email);
    clock.advance(1);
    const second = await invite(t, owner.auth, org.id, invitee.email);
    const replacement = await invitationToken(t, invitee.email);
    expect(replacement).not.toBe(first);
    const list = (await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}/invitations`, headers: owner.auth })).json();
    expect(list).toMatchObject({ count: 1, data: [{ id: second.json().id }] });
    expect((await accept(t, invitee.auth, first)).statusCode).toBe(400);

    const revoked = await t.request({
      method: 'DELETE',
      url: `/api/v1/orgs/${org.id}/invitations/${second.json().id}`,
      headers: owner.auth,
    });
    expect(revoked.statusCode).toBe(200);
    expect((await accept(t, invitee.auth, replacement)).statusCode).toBe(400);
  });

  it('a visitor without an account signs up with the invited address and accepts', async () => {
    const t = app.get();
    const { org, owner } = await team(t);
    const email = uniqueEmail('newcomer');
    await invite(t, owner.auth, org.id, email);
    const token = await invitationToken(t, email);
    expect((await t.request({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } })).json()).toMatchObject({
      email,
      account_exists: false,
    });
    const signup = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email, password: 'a-long-new-password' },
    });
    expect(signup.statusCode).toBe(200);
    const auth = await t.authFor(email, 'a-long-new-password');
    const accepted = await accept(t, auth as Auth, token);
    expect(accepted.json()).toMatchObject({ id: org.id, role: 'member' });
    expect((await me(t, auth as Auth)).json().is_verified).toBe(true);
  });

  it('admins cannot invite owners; a member is not invited again; members cannot invite', async () => {
    const t = app.get();
    const { org, admin, member } = await team(t);
    expect((await invite(t, admin.auth, org.id, uniqueEmail(), 'owner')).json()).toEqual(OWNERS_ONLY_OWNERS);
    const existing = await invite(t, admin.auth, org.id, member.email);
    expect(existing.statusCode).toBe(409);
    expect(existing.json()).toEqual({ detail: 'This user is already a member of the organization' });
    expect((await invite(t, member.auth, org.id, uniqueEmail())).statusCode).toBe(403);
  });
});

describe('signing up from an invitation link, with REQUIRE_VERIFIED_LOGIN=true', () => {
  const PASSWORD = 'a-long-new-password';
  const signup = (t: TestApp, email: string, invitation_token?: string) =>
    t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email, password: PASSWORD, invitation_token } });
  const mailsTo = async (t: TestApp, email: string, kind: string) =>
    (
      await t.ctx.db
        .select()
        .from(emailOutbox)
        .where(and(eq(emailOutbox.toAddress, email), eq(emailOutbox.kind, kind)))
    ).length;
  const pendingCount = async (t: TestApp, auth: Auth, orgId: string) =>
    (await t.request({ method: 'GET', url: `/api/v1/orgs/${orgId}/invitations`, headers: auth })).json().count;

  /** The sign-up went on as any other: unverified, sent a link, refused at sign-in, not a member. */
  async function expectPlainSignup(
    t: TestApp,
    response: { statusCode: number; json(): { id: string; is_verified: boolean } },
    email: string,
    orgId: string,
    owner: Member,
  ) {
    expect(response.statusCode).toBe(200);
    expect(response.json().is_verified).toBe(false);
    expect(await mailsTo(t, email, 'verify_email')).toBe(1);
    expect((await t.login(email, PASSWORD)).json()).toEqual({ detail: 'Email not verified' });
    expect(await memberRoles(t, owner.auth, orgId)).not.toHaveProperty(response.json().id);
  }

  it('the invited address lands verified and a member, and signs in at once; the link is spent', async () => {
    const t = strict.get();
    const { org, owner } = await team(t);
    const email = uniqueEmail('Invited');
    await invite(t, owner.auth, org.id, email, 'admin');
    const token = await invitationToken(t, email);
    // Another spelling of the same address (its normal form) is the invited one.
    const created = await signup(t, email.toUpperCase(), token);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ email: email.toUpperCase(), is_verified: true, is_superuser: false });
    const id = created.json().id as string;
    expect(await mailsTo(t, email.toUpperCase(), 'verify_email')).toBe(0);

    const auth = await t.authFor(email, PASSWORD);
    expect((await me(t, auth)).json()).toMatchObject({ id, is_verified: true });
    expect((await memberRoles(t, owner.auth, org.id))[id]).toBe('admin');
    expect(await pendingCount(t, owner.auth, org.id)).toBe(0);
    expect((await accept(t, auth, token)).json()).toEqual({ detail: 'Invalid or expired invitation' });

    const events = await t.ctx.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    const byType = Object.fromEntries(events.map((event) => [event.type, event]));
    expect(Object.keys(byType)).toEqual(
      expect.arrayContaining(['user.signed_up', 'email.verified', 'org.member_added', 'org.invitation_accepted']),
    );
    expect(byType['email.verified']).toMatchObject({ actorId: id, details: { via: 'org_invitation' } });
    expect(byType['org.invitation_accepted']).toMatchObject({
      actorId: id,
      details: { org_id: org.id, role: 'admin', joined: true },
    });
  });

  it('another address, an unknown or a replaced token verifies nothing; the invitation stays for its address', async () => {
    const t = strict.get();
    const { org, owner } = await team(t);
    const email = uniqueEmail('invited');
    await invite(t, owner.auth, org.id, email);
    const replaced = await invitationToken(t, email);
    strictClock.advance(1);
    await invite(t, owner.auth, org.id, email);
    const token = await invitationToken(t, email);

    const other = uniqueEmail('other');
    await expectPlainSignup(t, await signup(t, other, token), other, org.id, owner);
    expect(await pendingCount(t, owner.auth, org.id)).toBe(1);

    const stale = uniqueEmail('stale');
    await expectPlainSignup(t, await signup(t, stale, 'not-a-token'), stale, org.id, owner);
    await expectPlainSignup(t, await signup(t, email, replaced), email, org.id, owner);
    expect(await pendingCount(t, owner.auth, org.id)).toBe(1);
  });

  it('an expired or already used invitation verifies nothing', async () => {
    const t = strict.get();
    const { org, owner } = await team(t);
    const late = uniqueEmail('late');
    await invite(t, owner.auth, org.id, late);
    const expired = await invitationToken(t, late);
    strictClock.advance(7 * 86_400 + 1);
    await expectPlainSignup(t, await signup(t, late, expired), late, org.id, owner);

    const email = uniqueEmail('twice');
    await invite(t, owner.auth, org.id, email);
    const token = await invitationToken(t, email);
    const first = await signup(t, email, token);
    expect(first.json().is_verified).toBe(true);
    // The account goes; a new one with the same address cannot use the spent link.
    const gone = await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: await t.authFor(email, PASSWORD) });
    expect(gone.statusCode).toBe(200);
    await expectPlainSignup(t, await signup(t, email, token), email, org.id, owner);
  });
});

describe('verified domains', () => {
  it('a user who verifies an address at a claimed domain joins as a member', async () => {
    const t = app.get();
    const domain = `d${process.pid}-${Date.now()}.example`;
    const owner = await verifiedUser(t, `boss@${domain}`);
    const org = await createOrg(t, owner);
    const put = (auth: Auth, body: string[], orgId = org.id) =>
      t.request({ method: 'PUT', url: `/api/v1/orgs/${orgId}/domains`, headers: auth, payload: body });

    const notProven = await put(owner.auth, ['example.org']);
    expect(notProven.statusCode).toBe(403);
    expect((await put(owner.auth, ['not a domain'])).statusCode).toBe(400);
    expect((await put(owner.auth, [` ${domain.toUpperCase()}.`])).json()).toEqual([domain]);
    expect((await t.request({ method: 'GET', url: `/api/v1/orgs/${org.id}/domains`, headers: owner.auth })).json()).toEqual([
      domain,
    ]);

    // One organization per domain, even for an administrator.
    const admin = await t.superuserAuth();
    const other = (
      await t.request({ method: 'POST', url: '/api/v1/orgs', headers: admin, payload: { name: 'Other', slug: newSlug() } })
    ).json();
    const taken = await put(admin, [domain], other.id);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ detail: `The domain ${domain} already belongs to another organization` });

    const email = `Newcomer@${domain.toUpperCase()}`;
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email, password: 'a-long-new-password' } }))
        .statusCode,
    ).toBe(200);
    const newcomer = (await t.ctx.users.getByEmail(email))!;
    expect(await memberRoles(t, owner.auth, org.id)).not.toHaveProperty(newcomer.id);
    const [mail] = await t.ctx.db
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.toAddress, email), eq(emailOutbox.kind, 'verify_email')));
    const token = decodeURIComponent(/verify-email\?token=([^"&<\s]+)/.exec(mail?.html ?? '')?.[1] ?? '');
    expect((await t.request({ method: 'POST', url: '/api/v1/users/verify-email', payload: { token } })).statusCode).toBe(200);
    expect((await memberRoles(t, owner.auth, org.id))[newcomer.id]).toBe('member');
    const [joined] = await t.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'org.member_added'), eq(auditEvents.targetId, newcomer.id)));
    expect(joined?.details).toMatchObject({ org_id: org.id, via: 'domain' });
  });
});

describe('the active organization', () => {
  async function signedIn(t: TestApp, user: Member) {
    const body = (await t.login(user.email, user.password)).json();
    return { auth: { authorization: `Bearer ${body.access_token}` }, refreshToken: body.refresh_token as string };
  }
  const choose = (t: TestApp, auth: Auth, orgId: string | null) =>
    t.request({ method: 'POST', url: '/api/v1/users/me/active-org', headers: auth, payload: { org_id: orgId } });
  const refresh = (t: TestApp, token: string) =>
    t.request({ method: 'POST', url: '/api/v1/login/refresh-token', payload: { refresh_token: token } });

  it('a fresh token pair carries org_id and org_role; refreshes keep them while the membership lasts', async () => {
    const t = app.get();
    const { org, member } = await team(t);
    const session = await signedIn(t, member);
    const chosen = await choose(t, session.auth, org.id);
    expect(chosen.statusCode).toBe(200);
    expect(chosen.headers['cache-control']).toBe('no-store');
    const pair = chosen.json();
    expect(claimsOf(pair.access_token)).toMatchObject({ sub: member.id, org_id: org.id, org_role: 'member' });
    const orgAuth = { authorization: `Bearer ${pair.access_token}` };
    expect((await me(t, orgAuth)).statusCode).toBe(200);
    // The session's earlier refresh token was spent by the switch.
    clock.advance(60);
    expect((await refresh(t, session.refreshToken)).statusCode).toBe(400);
  });

  it('switching organization while the session refreshes: each answers 200 or 400, never a deadlock or a 500', async () => {
    const t = app.get();
    const { org, member } = await team(t);
    for (let round = 0; round < 8; round++) {
      const session = await signedIn(t, member);
      // The switch locks the session, then its tokens; the refresh its token, then the session.
      const [switched, refreshed] = await Promise.all([
        choose(t, session.auth, round % 2 ? null : org.id),
        refresh(t, session.refreshToken),
      ]);
      expect([switched.statusCode, refreshed.statusCode].sort()).toEqual(
        switched.statusCode === 200 && refreshed.statusCode === 200 ? [200, 200] : [200, 400],
      );
    }
  });

  it('a refresh keeps the claim; null clears it; an organization the user is not in is 404', async () => {
    const t = app.get();
    const { org, member } = await team(t);
    const session = await signedIn(t, member);
    const pair = (await choose(t, session.auth, org.id)).json();
    const refreshed = await refresh(t, pair.refresh_token);
    expect(claimsOf(refreshed.json().access_token)).toMatchObject({ org_id: org.id, org_role: 'member' });
    const cleared = (await choose(t, { authorization: `Bearer ${refreshed.json().access_token}` }, null)).json();
    expect(claimsOf(cleared.access_token)).not.toHaveProperty('org_id');
    const other = await createOrg(t, await verifiedUser(t));
    expect((await choose(t, session.auth, other.id)).statusCode).toBe(404);
  });

  it('removal from the organization ends the claim at once; the next refresh drops it', async () => {
    const t = app.get();
    const { org, owner, member } = await team(t);
    const session = await signedIn(t, member);
    const pair = (await choose(t, session.auth, org.id)).json();
    const orgAuth = { authorization: `Bearer ${pair.access_token}` };
    expect((await me(t, orgAuth)).statusCode).toBe(200);
    expect((await remove(t, owner.auth, org.id, member.id)).statusCode).toBe(200);
    const refused = await me(t, orgAuth);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'Organization membership changed: refresh the token' });
    const refreshed = await refresh(t, pair.refresh_token);
    expect(refreshed.statusCode).toBe(200);
    expect(claimsOf(refreshed.json().access_token)).not.toHaveProperty('org_id');
    expect((await me(t, { authorization: `Bearer ${refreshed.json().access_token}` })).statusCode).toBe(200);
  });

  it('a role change ends a claim of the old role; the next refresh carries the new one', async () => {
    const t = app.get();
    const { org, owner, member } = await team(t);
    const session = await signedIn(t, member);
    const pair = (await choose(t, session.auth, org.id)).json();
    expect((await setRole(t, owner.auth, org.id, member.id, 'admin')).statusCode).toBe(200);
    expect((await me(t, { authorization: `Bearer ${pair.access_token}` })).statusCode).toBe(403);
    const refreshed = await refresh(t, pair.refresh_token);
    expect(claimsOf(refreshed.json().access_token)).toMatchObject({ org_id: org.id, org_role: 'admin' });
  });
});
